package org.jtorrent.metainfo;

/**
 * BEP 47 file attributes (the {@code attr} string). Unknown letters are ignored, as the BEP asks.
 * A file whose path contains {@code _____padding_file_} is BitComet's older padding convention.
 */
public record FileAttributes(boolean padding, boolean executable, boolean hidden, boolean symlink) {
    public static final FileAttributes NONE = new FileAttributes(false, false, false, false);
    public static final FileAttributes PADDING = new FileAttributes(true, false, false, false);

    public static FileAttributes parse(String attr) {
        return new FileAttributes(attr.indexOf('p') >= 0, attr.indexOf('x') >= 0, attr.indexOf('h') >= 0,
                attr.indexOf('l') >= 0);
    }

    FileAttributes withPadding() {
        return new FileAttributes(true, executable, hidden, symlink);
    }
}
