package io.svcproxy.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Fails (instead of truncating) once more than a limit of bytes has been read; pipes have no size to check up front. */
final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private long count;

    LimitedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void count(int n) throws IOException {
        count += n;
        if (count > limit) {
            throw new IOException("input larger than " + limit + " bytes");
        }
    }
}
