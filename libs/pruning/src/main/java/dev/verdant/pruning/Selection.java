package dev.verdant.pruning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Chooses which units to keep from importance scores: per group, or one ranking over all groups. */
final class Selection {

    private Selection() {
    }

    /** Units removed from a group of {@code size} at {@code amount}: round(amount x size), at most size - 1. */
    static int removedCount(int size, double amount) {
        return (int) Math.min(size - 1L, Math.round(amount * size));
    }

    /** Keeps the most important {@code keep} of one group; returns their indices ascending. Ties: lower index kept. */
    static int[] keepTop(double[] scores, int keep) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i));
        int[] kept = new int[keep];
        for (int i = 0; i < keep; i++) {
            kept[i] = order[i];
        }
        Arrays.sort(kept);
        return kept;
    }

    /**
     * One ranking over every group: removes the round(amount x total) least important units, never
     * the last unit of a group. Returns the kept indices of each group, ascending.
     */
    static List<int[]> keepGlobal(List<double[]> scores, double amount) {
        int total = scores.stream().mapToInt(s -> s.length).sum();
        int remove = (int) Math.round(amount * total);
        List<long[]> units = new ArrayList<>(); // {group, index}
        for (int g = 0; g < scores.size(); g++) {
            for (int i = 0; i < scores.get(g).length; i++) {
                units.add(new long[] {g, i});
            }
        }
        units.sort(Comparator.<long[]>comparingDouble(u -> scores.get((int) u[0])[(int) u[1]])
                .thenComparingLong(u -> u[0]).thenComparingLong(u -> u[1]));
        boolean[][] removed = new boolean[scores.size()][];
        int[] left = new int[scores.size()];
        for (int g = 0; g < scores.size(); g++) {
            removed[g] = new boolean[scores.get(g).length];
            left[g] = scores.get(g).length;
        }
        int done = 0;
        for (long[] unit : units) {
            if (done == remove) {
                break;
            }
            int g = (int) unit[0];
            if (left[g] > 1) {
                removed[g][(int) unit[1]] = true;
                left[g]--;
                done++;
            }
        }
        List<int[]> kept = new ArrayList<>();
        for (int g = 0; g < scores.size(); g++) {
            int[] indices = new int[left[g]];
            int k = 0;
            for (int i = 0; i < removed[g].length; i++) {
                if (!removed[g][i]) {
                    indices[k++] = i;
                }
            }
            kept.add(indices);
        }
        return kept;
    }
}
