package io.netwharf.container;

import io.netwharf.protocol.model.NetwharfException;

import java.util.List;
import java.util.Locale;

/** Signal names and numbers as Docker takes them: {@code SIGTERM}, {@code TERM} or {@code 15} (Linux x86_64). */
public final class Signals {
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
            "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
            "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    private Signals() {}

    /** Docker's name for a signal: {@code SIGINT}, or its number for one without a name. */
    public static String name(int signal) {
        return signal > 0 && signal < NAMES.size() ? "SIG" + NAMES.get(signal) : String.valueOf(signal);
    }

    /** The signal's number; {@code fallback} when none is given. */
    public static int parse(String signal, int fallback) {
        if (signal == null || signal.isEmpty()) {
            return fallback;
        }
        String name = signal.toUpperCase(Locale.ROOT);
        name = name.startsWith("SIG") ? name.substring(3) : name;
        int number = NAMES.indexOf(name);
        if (number > 0) {
            return number;
        }
        try {
            number = Integer.parseInt(signal);
            if (number > 0 && number <= 64) {
                return number;
            }
        } catch (NumberFormatException e) {
            // not a number either
        }
        throw NetwharfException.badParameter("Invalid signal: " + signal);
    }
}
