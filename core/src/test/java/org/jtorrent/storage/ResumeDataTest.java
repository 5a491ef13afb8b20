package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeDataTest {
    @TempDir
    Path dir;
    @TempDir
    Path elsewhere;

    private final TestTorrent torrent = TestTorrent.single("data.bin", 100_000, 16 * 1024);

    @Test
    void aSymlinkPlantedAtTheTemporaryNameIsNotFollowed() throws Exception {
        torrent.writeTo(dir);
        Path victim = elsewhere.resolve("precious.txt");
        Files.writeString(victim, "not yours to overwrite");
        Path resume = ResumeData.file(dir, torrent.metainfo().infoHash());
        Path temp = resume.resolveSibling(resume.getFileName() + ".tmp");
        Files.createSymbolicLink(temp, victim);
        BitSet have = new BitSet();
        have.set(0, torrent.metainfo().info().pieceCount());

        ResumeData.save(dir, torrent.metainfo().infoHash(), torrent.metainfo().info(), have);

        assertThat(Files.readAllBytes(victim)).asString(StandardCharsets.UTF_8).isEqualTo("not yours to overwrite");
        assertThat(Files.isSymbolicLink(resume)).isFalse();
        assertThat(temp).doesNotExist();
        assertThat(ResumeData.load(dir, torrent.metainfo().infoHash(), torrent.metainfo().info())).contains(have);
    }

    @Test
    void aLeftoverTemporaryFileIsReplaced() throws Exception {
        torrent.writeTo(dir);
        Path resume = ResumeData.file(dir, torrent.metainfo().infoHash());
        Files.write(resume.resolveSibling(resume.getFileName() + ".tmp"), new byte[10_000]); // a crash mid-save
        BitSet have = new BitSet();
        have.set(2);

        ResumeData.save(dir, torrent.metainfo().infoHash(), torrent.metainfo().info(), have);

        assertThat(ResumeData.load(dir, torrent.metainfo().infoHash(), torrent.metainfo().info())).contains(have);
    }
}
