package org.jtorrent.cli;

/** Byte counts for people: binary units, three significant figures. */
final class Sizes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Sizes() {
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return (value >= 100 ? String.format("%.0f", value) : value >= 10 ? String.format("%.1f", value)
                : String.format("%.2f", value)) + " " + UNITS[unit];
    }

    /** Parses a byte count: digits with an optional K, M or G suffix (binary: K = 1024). */
    static long parse(String text) {
        String t = text.strip().toUpperCase(java.util.Locale.ROOT).replaceAll("I?B$", "");
        long factor = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        String digits = factor == 1 ? t : t.substring(0, t.length() - 1);
        try {
            long value = Long.parseLong(digits);
            if (value < 0 || value > Long.MAX_VALUE / factor) throw new NumberFormatException();
            return value * factor;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: " + text + " (examples: 16384, 256K, 8M)");
        }
    }
}
