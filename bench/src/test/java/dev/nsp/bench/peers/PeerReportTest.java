package dev.nsp.bench.peers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PeerReportTest {
    @Test
    void timesAndRatiosAreFormattedWithUnits() {
        assertEquals("12.5 us", PeerReport.time(12.5));
        assertEquals("3.40 ms", PeerReport.time(3400));
        assertEquals("2.50 s", PeerReport.time(2.5e6));
        assertEquals("-", PeerReport.time(Double.NaN));
        assertEquals("1.53x", PeerReport.ratio(1.534));
        assertEquals("52x", PeerReport.ratio(52.4));
        assertEquals("-", PeerReport.ratio(Double.NaN));
        assertEquals("61 %", PeerReport.pct(0.61));
    }
}
