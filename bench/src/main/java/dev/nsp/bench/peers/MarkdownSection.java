package dev.nsp.bench.peers;

/**
 * Replaces a generated section of a Markdown document: the text between a begin and an end marker line (HTML
 * comments, invisible when rendered). A document without the markers gets the section appended at its end, so
 * a re-run replaces what the previous run wrote and leaves the rest of the document alone.
 */
public final class MarkdownSection {
    private MarkdownSection() {
    }

    /** @return the begin marker line of a section */
    public static String begin(String name) {
        return "<!-- BEGIN GENERATED " + name + ": do not edit by hand, re-run the command below -->";
    }

    /** @return the end marker line of a section */
    public static String end(String name) {
        return "<!-- END GENERATED " + name + " -->";
    }

    /**
     * @param document the whole document
     * @param name the section's name
     * @param body the new content (without markers)
     * @return the document with the section replaced, or appended when it was not there
     * @throws IllegalArgumentException if the markers are there but out of order or repeated
     */
    public static String replace(String document, String name, String body) {
        String b = begin(name);
        String e = end(name);
        String content = body.endsWith("\n") ? body : body + "\n";
        int i = document.indexOf(b);
        int j = document.indexOf(e);
        if (i < 0 && j < 0) {
            String sep = document.isEmpty() || document.endsWith("\n\n") ? "" : document.endsWith("\n") ? "\n" : "\n\n";
            return document + sep + b + "\n" + content + e + "\n";
        }
        if (i < 0 || j < 0 || j < i || document.indexOf(b, i + 1) >= 0 || document.indexOf(e, j + 1) >= 0) {
            throw new IllegalArgumentException("document: the markers of section '" + name + "' are incomplete, out of "
                    + "order or repeated; fix them by hand");
        }
        return document.substring(0, i) + b + "\n" + content + document.substring(j);
    }
}
