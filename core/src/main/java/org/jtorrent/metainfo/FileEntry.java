package org.jtorrent.metainfo;

import java.nio.file.Path;
import java.util.List;

/**
 * One file of a torrent.
 *
 * @param path       sanitised path elements relative to the download folder; for a multi-file
 *                   torrent the first element is the torrent's name
 * @param length     size in bytes
 * @param offset     where the file starts in the torrent's byte stream (the concatenation of all files)
 * @param attributes BEP 47 attributes
 */
public record FileEntry(List<String> path, long length, long offset, FileAttributes attributes) {

    public FileEntry {
        path = List.copyOf(path);
        if (path.isEmpty()) throw new IllegalArgumentException("a file needs a path");
        if (length < 0 || offset < 0) throw new IllegalArgumentException("negative length or offset");
    }

    /** BEP 47 padding: bytes that only align the next file to a piece boundary; never written. */
    public boolean isPadding() {
        return attributes.padding();
    }

    /** The path joined with '/', as shown to users and in JSON. */
    public String displayPath() {
        return String.join("/", path);
    }

    /** Where the file goes below a download folder. Every element is sanitised, so it stays inside. */
    public Path resolveIn(Path downloadFolder) {
        Path p = downloadFolder;
        for (String element : path) p = p.resolve(element);
        return p;
    }

    public long end() {
        return offset + length;
    }
}
