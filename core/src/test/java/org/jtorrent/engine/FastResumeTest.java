package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.testing.DiskDamage.flipByte;
import static org.jtorrent.testing.TestTorrent.Spec.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.jtorrent.storage.ResumeData;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean close saves resume data; the next start trusts it only while every file keeps its size
 * and modification time. The proof that it is trusted (not re-hashed): a byte changed behind our
 * back with the mtime put back is not noticed, and the same change with a new mtime is.
 */
@Timeout(30)
class FastResumeTest {
    @TempDir
    Path dir;

    private final TestTorrent t = TestTorrent.multi("r", 32 * 1024, file("a.bin", 100_000), file("b.bin", 60_000));

    @Test
    void resumeDataIsTrustedWhileSizesAndMtimesMatch() throws Exception {
        t.writeTo(dir);
        startAndClose(); // re-check finds everything; close saves resume data
        assertThat(ResumeData.file(dir, t.metainfo().infoHash())).exists();

        Path a = dir.resolve("r/a.bin");
        FileTime mtime = Files.getLastModifiedTime(a);
        flipByte(a, 5);
        Files.setLastModifiedTime(a, mtime);
        assertThat(haveBytesAtStart()).as("trusted: the change was not re-hashed").isEqualTo(t.metainfo().info().totalLength());

        Files.setLastModifiedTime(a, FileTime.fromMillis(mtime.toMillis() + 5000));
        assertThat(haveBytesAtStart()).as("mtime changed: re-checked, the bad piece found")
                .isEqualTo(t.metainfo().info().totalLength() - 32 * 1024);
    }

    @Test
    void aDamagedResumeFileIsIgnored() throws Exception {
        t.writeTo(dir);
        startAndClose();
        Path resume = ResumeData.file(dir, t.metainfo().infoHash());
        Path a = dir.resolve("r/a.bin");
        FileTime mtime = Files.getLastModifiedTime(a);
        flipByte(a, 5);
        Files.setLastModifiedTime(a, mtime); // the data change alone would go unnoticed...
        flipByte(resume, 30);                  // ...but the resume file fails its CRC: full re-check
        assertThat(haveBytesAtStart()).isEqualTo(t.metainfo().info().totalLength() - 32 * 1024);
    }

    @Test
    void nothingHadNothingSaved() throws Exception {
        startAndClose();
        assertThat(ResumeData.file(dir, t.metainfo().infoHash())).doesNotExist();
    }

    private void startAndClose() throws Exception {
        try (Download d = Download.start(t.metainfo(), DownloadOptions.defaults(dir, List.of()))) {
            assertThat(d.listenPort()).isPositive();
        }
    }

    private long haveBytesAtStart() throws Exception {
        try (Download d = Download.start(t.metainfo(), DownloadOptions.defaults(dir, List.of()))) {
            return d.torrent().haveBytes();
        }
    }
}
