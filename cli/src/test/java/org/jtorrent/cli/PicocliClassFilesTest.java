package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * picocli is compiled in this module from its sources jar (cli/pom.xml), not taken as its published
 * jar, whose Java 5 class files the JDK's AOT cache cannot keep once they are linked: the start-up
 * cache then left picocli out, and every command loaded and verified its classes again.
 */
class PicocliClassFilesTest {
    private static final int JAVA_21 = 65;

    @Test
    void picocliIsBuiltAtOurReleaseLevel() throws IOException {
        for (Class<?> c : new Class<?>[] {CommandLine.class, CommandLine.Model.CommandSpec.class, CommandLine.Help.class}) {
            assertThat(majorVersion(c)).as(c.getName()).isGreaterThanOrEqualTo(JAVA_21);
        }
    }

    private static int majorVersion(Class<?> c) throws IOException {
        String resource = "/" + c.getName().replace('.', '/') + ".class";
        try (InputStream in = c.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            DataInputStream data = new DataInputStream(in);
            assertThat(data.readInt()).isEqualTo(0xCAFEBABE);
            data.readUnsignedShort(); // minor
            return data.readUnsignedShort();
        }
    }
}
