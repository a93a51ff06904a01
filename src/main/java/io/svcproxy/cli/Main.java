package io.svcproxy.cli;

import java.io.PrintWriter;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** svcproxy's command line: one subcommand per behaviour that exists. */
@Command(name = "svcproxy",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Kubernetes node service proxy, a kube-proxy compatible dataplane programmer.",
        subcommands = {PlanCommand.class, ExplainCommand.class, RunCommand.class, CleanupCommand.class,
            AutoComplete.GenerateCompletion.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the command line with the given output streams. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("svcproxy: " + ErrorMessages.describe(e));
            return ExitCodes.ERROR;
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("svcproxy: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCodes.ERROR;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
