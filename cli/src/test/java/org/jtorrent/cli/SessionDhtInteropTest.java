package org.jtorrent.cli;

import java.util.List;
import org.jtorrent.testing.RealPeers;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's interop through the commands users type, with the harness's dht_swarm.py (its own
 * network namespace, a private DHT of libtorrent nodes, a torrent without any tracker):
 * {@code jtorrent download MAGNET --dht-bootstrap ...} finds the libtorrent seeder through the DHT
 * and completes; a libtorrent leecher given only the magnet finds {@code jtorrent seed --dht-bootstrap ...}
 * through the DHT and completes. Every byte is checked by the harness.
 */
class SessionDhtInteropTest {
    private static String jtorrent() {
        return "exec '" + JavaProcess.java() + "' -cp '" + JavaProcess.classPath() + "' org.jtorrent.cli.Main";
    }

    private static List<String> dhtSwarm(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("python3", RealPeers.harness().resolve("dht_swarm.py").toString(),
                "--gen", "single:4M", "--nodes", "8", "--timeout", "90"));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void ourDownloadOfAMagnetFindsALibtorrentSeederThroughTheDht() throws Exception {
        RealPeers.pythonWithLibtorrent();
        String leecher = jtorrent() + " download \"{magnet}\" -o {outdir} --port {port} --dht-bootstrap {bootstrap} --state {workdir}/jt-state";
        SwarmRun.expect(dhtSwarm("--leecher", "cmd:" + leecher), "leecher=cmd mode=dht-magnet nodes=8 bytes=4194304 .* ok\\b", 200);
    }

    @Test
    void aLibtorrentLeecherFindsOurSeedThroughTheDht() throws Exception {
        RealPeers.pythonWithLibtorrent();
        String seeder = jtorrent() + " seed {torrent} --data {datadir} --port {port} --dht-bootstrap {bootstrap} --state {workdir}/jt-seed-state";
        SwarmRun.expect(dhtSwarm("--seeder", "cmd:" + seeder), "leecher=lt mode=dht-magnet nodes=8 bytes=4194304 .* ok\\b", 200);
    }
}
