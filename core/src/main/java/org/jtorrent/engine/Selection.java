package org.jtorrent.engine;

/**
 * Which files of a torrent to fetch and in what order: the initial values a torrent is added with
 * ({@link TorrentOptions#selection()}); {@link TorrentHandle#filePriorities} and
 * {@link TorrentHandle#sequential} change them while it runs.
 *
 * @param filePriorities one level per file (0 = do not download, 1..7, 4 the default), in the
 *                       torrent's file order, padding files included; null: every file at the default
 * @param sequential     pieces in index order within the picker's window (streaming) instead of rarest first
 * @param fileEndsFirst  the first and last piece of each wanted file before the rest
 */
public record Selection(int[] filePriorities, boolean sequential, boolean fileEndsFirst) {
    public static final Selection ALL = new Selection(null, false, false);

    public Selection {
        if (filePriorities != null) {
            filePriorities = filePriorities.clone();
            for (int level : filePriorities) org.jtorrent.metainfo.Priorities.check(level);
        }
    }

    @Override
    public int[] filePriorities() {
        return filePriorities == null ? null : filePriorities.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Selection s && java.util.Arrays.equals(filePriorities, s.filePriorities)
                && sequential == s.sequential && fileEndsFirst == s.fileEndsFirst;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(filePriorities) * 31 + (sequential ? 2 : 0) + (fileEndsFirst ? 1 : 0);
    }

    @Override
    public String toString() {
        return "Selection[filePriorities=" + java.util.Arrays.toString(filePriorities) + ", sequential=" + sequential
                + ", fileEndsFirst=" + fileEndsFirst + "]";
    }
}
