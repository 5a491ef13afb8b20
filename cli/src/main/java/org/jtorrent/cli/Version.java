package org.jtorrent.cli;

import org.jtorrent.id.PeerId;
import picocli.CommandLine;

final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"jtorrent 0.1.0 (peer id prefix " + PeerId.CLIENT_PREFIX + ")"};
    }
}
