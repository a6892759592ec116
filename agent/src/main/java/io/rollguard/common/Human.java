package io.rollguard.common;

/** Short human forms of measured times and sizes for check and action messages. */
public final class Human {
    private Human() {}

    /** 0.0123 -> "12 ms", 2.5 -> "2.5 s". */
    public static String seconds(double seconds) {
        if (seconds < 1) {
            return Math.round(seconds * 1000) + " ms";
        }
        return String.format(java.util.Locale.ROOT, "%.1f s", seconds);
    }

    /** 3435973836 -> "3.2 GiB". */
    public static String bytes(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int unit = 0;
        double amount = bytes;
        while (amount >= 1024 && unit < units.length - 1) {
            amount /= 1024;
            unit++;
        }
        return unit == 0 ? String.format(java.util.Locale.ROOT, "%.0f B", amount)
                : String.format(java.util.Locale.ROOT, "%.1f %s", amount, units[unit]);
    }
}
