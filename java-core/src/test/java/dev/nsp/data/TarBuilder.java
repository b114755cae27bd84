package dev.nsp.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Writes small tar archives for tests, byte by byte from the format description (not a library). */
final class TarBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A regular file in POSIX ustar format; {@code prefix} may be empty. */
    TarBuilder file(String prefix, String name, byte[] data) {
        entry(header(prefix, name, data.length, '0', true, false), data);
        return this;
    }

    TarBuilder file(String name, byte[] data) {
        return file("", name, data);
    }

    /** A regular file whose size field is GNU base-256 binary. */
    TarBuilder base256File(String name, byte[] data) {
        entry(header("", name, data.length, '0', false, true), data);
        return this;
    }

    TarBuilder directory(String name) {
        entry(header("", name, 0, '5', true, false), new byte[0]);
        return this;
    }

    /** A symbolic link (no data). */
    TarBuilder symlink(String name) {
        entry(header("", name, 0, '2', true, false), new byte[0]);
        return this;
    }

    /** A GNU long name: an 'L' entry holding the name, then the file with a truncated name (GNU magic). */
    TarBuilder gnuLongName(String name, byte[] data) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        entry(header("", "././@LongLink", n.length, 'L', false, false), n);
        entry(header("", name.substring(0, 100), data.length, '0', false, false), data);
        return this;
    }

    /** A pax 'x' entry with a path record, then the file with a truncated name. */
    TarBuilder paxPath(String path, byte[] data) {
        String rec = record("path", path) + record("mtime", "1234567890.5");
        byte[] r = rec.getBytes(StandardCharsets.UTF_8);
        entry(header("", "PaxHeader/x", r.length, 'x', true, false), r);
        entry(header("", path.substring(0, Math.min(100, path.length())), data.length, '0', true, false), data);
        return this;
    }

    /** A pax record "LEN key=value\n" where LEN counts the whole record, its own digits included. */
    static String record(String key, String value) {
        int body = key.length() + value.getBytes(StandardCharsets.UTF_8).length + 3;   // ' ', '=', '\n'
        int len = body + 1;
        while (String.valueOf(len).length() + body != len) {
            len++;
        }
        return len + " " + key + "=" + value + "\n";
    }

    TarBuilder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** @return the archive with its two zero end blocks */
    byte[] tar() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(out.toByteArray());
        b.writeBytes(new byte[1024]);
        return b.toByteArray();
    }

    /** @return the gzip-compressed archive */
    byte[] tgz() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write(tar());
        }
        return b.toByteArray();
    }

    private void entry(byte[] header, byte[] data) {
        out.writeBytes(header);
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    }

    static byte[] header(String prefix, String name, long size, char type, boolean posix, boolean base256) {
        byte[] h = new byte[512];
        put(h, 0, name, 100);
        put(h, 100, "0000644", 8);
        put(h, 108, "0001750", 8);
        put(h, 116, "0001750", 8);
        if (base256) {
            h[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        } else {
            put(h, 124, String.format("%011o", size), 12);
        }
        put(h, 136, String.format("%011o", 1442073060L), 12);
        h[156] = (byte) type;
        if (posix) {
            put(h, 257, "ustar", 6);        // "ustar\0"
            put(h, 263, "00", 2);
            put(h, 345, prefix, 155);
        } else {
            put(h, 257, "ustar  ", 8);      // GNU: "ustar  \0"
        }
        put(h, 265, "user", 32);
        put(h, 297, "group", 32);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum), 7);    // six digits, NUL, then the space already there
        return h;
    }

    private static void put(byte[] h, int off, String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > max) {
            throw new IllegalArgumentException(s + " does not fit " + max + " bytes");
        }
        System.arraycopy(b, 0, h, off, b.length);
    }
}
