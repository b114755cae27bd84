package dev.nsp.data;

import dev.nsp.io.CorruptFileException;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A streaming reader for tar archives (POSIX ustar, GNU and pax), e.g. the {@code .tgz} tarballs
 * that {@code npm pack} writes.
 *
 * <p>The format: 512-byte headers, each followed by the entry's data padded to a multiple of 512
 * bytes; the archive ends with two zero blocks (one zero block followed by the end of the stream is
 * accepted too). Sizes are octal text, or base-256 binary when the field's first byte has its high
 * bit set (GNU). Names longer than 100 bytes come from the ustar prefix field (POSIX), from a
 * preceding GNU {@code L} entry, or from a pax {@code x} entry's {@code path} record (which may also
 * override {@code size}). Header checksums are verified.
 *
 * <p>Entry names are returned as stored; callers that write files must not trust them as paths
 * (nsp only compares them with fixed names).
 *
 * <p>Usage: {@code for (Entry e; (e = tar.next()) != null; ) { if (...) tar.content().transferTo(out); }}.
 * Problems are reported as {@link CorruptFileException} naming the archive and the offset in the
 * (decompressed) tar stream.
 */
public final class TarReader implements Closeable {
    static final int BLOCK = 512;
    /** Longest GNU long name or pax header this reader loads into memory. */
    static final int MAX_META_BYTES = 1 << 20;

    /**
     * One archive member.
     *
     * @param name the full path inside the archive, e.g. "package/data/t10k-labels-idx1-ubyte"
     * @param size the data length in bytes
     * @param type the tar type flag: '0' regular file, '5' directory, '1'/'2' links, ...
     * @param offset the offset of the entry's header in the tar stream
     */
    public record Entry(String name, long size, char type, long offset) {
        /** {@return true for a regular file} */
        public boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }
    }

    private final InputStream in;
    private final Path archive;
    private final boolean decompressed;
    private long position;
    private long remaining;     // data bytes of the current entry not yet read
    private long padding;       // padding bytes after the current entry's data
    private Entry current;
    private boolean finished;

    /**
     * Reads a tar stream.
     *
     * @param in the uncompressed tar stream; the reader closes it
     * @param archive the archive's file name, for messages
     * @param decompressed true if {@code in} is the decompressed stream of a compressed archive
     *        (offsets in messages then say so)
     */
    public TarReader(InputStream in, Path archive, boolean decompressed) {
        this.in = in;
        this.archive = archive;
        this.decompressed = decompressed;
    }

    /**
     * Opens a tar file, gzip-compressed or not (gzip is recognised by its magic bytes).
     *
     * @param file a {@code .tar}, {@code .tgz} or {@code .tar.gz} file
     * @return a reader that the caller closes
     * @throws IOException if the file cannot be opened or has a bad gzip header
     */
    public static TarReader open(Path file) throws IOException {
        boolean gzip = Idx.isGzip(file);
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
            return new TarReader(in, file, gzip);
        } catch (ZipException | EOFException e) {
            raw.close();
            throw new CorruptFileException(file, 0, false, "bad gzip header: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * Advances to the next entry, skipping whatever of the current entry's data was not read.
     * Metadata entries (GNU long names, pax headers) are consumed, not returned.
     *
     * @return the next entry, or null at the end of the archive
     * @throws CorruptFileException if a header is malformed or the archive is truncated
     */
    public Entry next() throws IOException {
        if (finished) {
            return null;
        }
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        current = null;
        String longName = null;
        String paxPath = null;
        long paxSize = -1;
        while (true) {
            long headerOffset = position;
            byte[] h = new byte[BLOCK];
            int got = readFully(h, 0, BLOCK);
            if (got == 0) {
                throw corrupt(headerOffset, "truncated: the archive ends without its end-of-archive blocks");
            }
            if (got < BLOCK) {
                throw corrupt(headerOffset + got, "truncated header: the stream ends " + got + " bytes into the"
                        + " 512-byte header at byte " + headerOffset);
            }
            if (allZero(h)) {
                finished = true;
                return null;    // the second zero block, if present, is not needed
            }
            verifyChecksum(h, headerOffset);
            char type = (char) (h[156] & 0xff);
            long size = parseNumber(h, 124, 12, headerOffset, "size");
            if (type == 'L' || type == 'x' || type == 'g' || type == 'K') {
                if (size > MAX_META_BYTES) {
                    throw corrupt(headerOffset + 124, "metadata entry of type '" + type + "' has size " + size
                            + ", more than " + MAX_META_BYTES);
                }
                byte[] meta = new byte[(int) size];
                if (readFully(meta, 0, meta.length) < meta.length) {
                    throw corrupt(position, "truncated: the stream ends inside the data of the entry at byte "
                            + headerOffset);
                }
                skip(pad(size));
                if (type == 'L') {
                    longName = cString(meta, 0, meta.length);
                } else if (type == 'x') {
                    PaxRecords pax = parsePax(meta, headerOffset);
                    if (pax.path != null) {
                        paxPath = pax.path;
                    }
                    if (pax.size >= 0) {
                        paxSize = pax.size;
                    }
                }
                continue;   // 'g' (global pax) and 'K' (long link name) are not needed
            }
            String name;
            if (paxPath != null) {
                name = paxPath;
            } else if (longName != null) {
                name = longName;
            } else {
                name = cString(h, 0, 100);
                boolean posixUstar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a'
                        && h[261] == 'r' && h[262] == 0;
                String prefix = posixUstar ? cString(h, 345, 155) : "";
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
            }
            if (paxSize >= 0) {
                size = paxSize;
            }
            boolean hasData = type != '1' && type != '2' && type != '3' && type != '4' && type != '5' && type != '6';
            if (!hasData) {
                size = 0;   // links, devices, directories and FIFOs carry no data (their size field is ignored)
            }
            remaining = size;
            padding = pad(size);
            current = new Entry(name, size, type, headerOffset);
            return current;
        }
    }

    /**
     * The data of the entry {@link #next()} returned last. Reading past its end returns -1; closing
     * the returned stream does nothing.
     *
     * @return the entry's data
     * @throws IllegalStateException if there is no current entry
     */
    public InputStream content() {
        if (current == null) {
            throw new IllegalStateException("no current entry: call next() first");
        }
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (remaining == 0) {
                    return -1;
                }
                int n = readSome(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw corrupt(position, "truncated: the stream ends inside the data of entry '"
                            + current.name() + "' (header at byte " + current.offset() + ", " + remaining
                            + " bytes missing)");
                }
                remaining -= n;
                return n;
            }
        };
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    // ---------------------------------------------------------------- implementation

    private record PaxRecords(String path, long size) {
    }

    /** Pax records: "LEN KEY=VALUE\n", LEN counting the whole record in bytes. */
    private PaxRecords parsePax(byte[] meta, long headerOffset) throws CorruptFileException {
        String path = null;
        long size = -1;
        int i = 0;
        while (i < meta.length) {
            int sp = i;
            while (sp < meta.length && meta[sp] != ' ') {
                sp++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(meta, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw corrupt(headerOffset + BLOCK + i, "bad pax record length");
            }
            if (len <= sp - i + 1 || i + len > meta.length || meta[i + len - 1] != '\n') {
                throw corrupt(headerOffset + BLOCK + i, "bad pax record of length " + len);
            }
            String rec = new String(meta, sp + 1, i + len - 1 - (sp + 1), StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq > 0) {
                String key = rec.substring(0, eq);
                String value = rec.substring(eq + 1);
                if (key.equals("path")) {
                    path = value;
                } else if (key.equals("size")) {
                    try {
                        size = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        size = -2;
                    }
                    if (size < 0) {
                        throw corrupt(headerOffset + BLOCK + i, "bad pax size '" + value + "'");
                    }
                }
            }
            i += len;
        }
        return new PaxRecords(path, size);
    }

    private void verifyChecksum(byte[] h, long headerOffset) throws CorruptFileException {
        long stored = parseNumber(h, 148, 8, headerOffset, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            boolean field = i >= 148 && i < 156;
            unsigned += field ? ' ' : (h[i] & 0xff);
            signed += field ? ' ' : h[i];
        }
        if (stored != unsigned && stored != signed) {
            throw corrupt(headerOffset + 148, "header checksum mismatch: stored " + stored + ", computed " + unsigned
                    + " (header at byte " + headerOffset + ")");
        }
    }

    /** An octal number (NUL/space padded), or GNU base-256 if the first byte's high bit is set. */
    private long parseNumber(byte[] h, int off, int len, long headerOffset, String field) throws CorruptFileException {
        if ((h[off] & 0x80) != 0) {
            if ((h[off] & 0x40) != 0) {
                throw corrupt(headerOffset + off, "negative base-256 " + field);
            }
            long v = h[off] & 0x3f;
            for (int i = 1; i < len; i++) {
                if (v > (Long.MAX_VALUE >>> 8)) {
                    throw corrupt(headerOffset + off, "base-256 " + field + " overflows");
                }
                v = (v << 8) | (h[off + i] & 0xff);
            }
            return v;
        }
        int i = off;
        int end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        long v = 0;
        int digits = 0;
        for (; i < end && h[i] >= '0' && h[i] <= '7'; i++, digits++) {
            if (v > (Long.MAX_VALUE >>> 3)) {
                throw corrupt(headerOffset + off, field + " field overflows");
            }
            v = (v << 3) | (h[i] - '0');
        }
        for (; i < end; i++) {
            if (h[i] != ' ' && h[i] != 0) {
                throw corrupt(headerOffset + i, "bad character 0x" + Integer.toHexString(h[i] & 0xff) + " in the octal "
                        + field + " field");
            }
        }
        if (digits == 0) {
            throw corrupt(headerOffset + off, "empty " + field + " field");
        }
        return v;
    }

    private static String cString(byte[] b, int off, int max) {
        int end = off;
        while (end < off + max && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static long pad(long size) {
        return (BLOCK - (size % BLOCK)) % BLOCK;
    }

    private CorruptFileException corrupt(long offset, String detail) {
        return new CorruptFileException(archive, offset, decompressed, detail, null);
    }

    private int readSome(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (ZipException | EOFException e) {
            throw new CorruptFileException(archive, position, decompressed,
                    "corrupt or truncated gzip stream: " + e.getMessage(), e);
        }
        if (n > 0) {
            position += n;
        }
        return n;
    }

    /** @return the number of bytes read, less than len only at the end of the stream */
    private int readFully(byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int n = readSome(b, off + total, len - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private void skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        while (n > 0) {
            int got = readSome(buf, 0, (int) Math.min(buf.length, n));
            if (got < 0) {
                throw corrupt(position, "truncated: the stream ends " + n + " bytes before the end of the entry"
                        + (current != null ? " '" + current.name() + "'" : ""));
            }
            n -= got;
        }
    }
}
