package org.jtorrent.tracker;

/**
 * One torrent's counts from a scrape (BEP 48 over HTTP, BEP 15 over UDP).
 *
 * @param complete   seeders
 * @param downloaded completed downloads the tracker has seen
 * @param incomplete leechers
 */
public record ScrapeStats(long complete, long downloaded, long incomplete) {
}
