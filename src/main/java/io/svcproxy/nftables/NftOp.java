package io.svcproxy.nftables;

import java.util.List;

/**
 * One message of an nf_tables transaction, in the order the nftables diff emits them. All ops of a
 * sync go to the kernel as one NFNL batch, which the kernel applies atomically: either every op
 * lands or none does. Every op names its table by family and name, so nothing outside the tables
 * the diff was given can be addressed.
 */
public sealed interface NftOp {

    NftFamily family();

    String table();

    /** Creates the table if missing (NLM_F_CREATE without EXCL: idempotent inside a batch). */
    record AddTable(NftFamily family, String table, String comment) implements NftOp {
    }

    record DeleteTable(NftFamily family, String table) implements NftOp {
    }

    /** Declares a chain (base hook and policy included); its rules come as {@link AddRule}s. */
    record AddChain(NftFamily family, String table, NftChain chain) implements NftOp {
        public AddChain {
            chain = chain.withRules(List.of());
        }
    }

    /** Removes every rule of the chain; the chain stays (and jumps to it stay valid). */
    record FlushChain(NftFamily family, String table, String chain) implements NftOp {
    }

    /** Deletes an empty chain nothing jumps to any more. */
    record DeleteChain(NftFamily family, String table, String chain) implements NftOp {
    }

    /** Appends one rule at the end of the chain; anonymous sets in it are sent just before it. */
    record AddRule(NftFamily family, String table, String chain, NftRule rule) implements NftOp {
    }

    /** Declares a named set or map (no elements: they come as {@link AddElements}). */
    record AddSet(NftFamily family, String table, NftSet set) implements NftOp {
        public AddSet {
            set = set.withElements(List.of());
        }
    }

    /** Deletes a named set no rule refers to any more. */
    record DeleteSet(NftFamily family, String table, String set) implements NftOp {
    }

    record AddElements(NftFamily family, String table, String set, List<NftElement> elements) implements NftOp {
        public AddElements {
            elements = List.copyOf(elements);
        }
    }

    /** Deletes elements by key (data and comments are not compared by the kernel). */
    record DeleteElements(NftFamily family, String table, String set, List<NftElement> elements) implements NftOp {
        public DeleteElements {
            elements = List.copyOf(elements);
        }
    }
}
