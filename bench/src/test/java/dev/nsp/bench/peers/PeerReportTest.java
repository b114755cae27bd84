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
        assertEquals("4.2 %", PeerReport.pct(0.042));
    }

    @Test
    void chartLabelsAreShort() {
        assertEquals("NS fwd+bwd 16M", PeerReport.shortName("Noisy Softplus forwardBackward 16M"));
        assertEquals("conv2 fwd+bwd", PeerReport.shortName("conv paper2 (6->12 @5x5 on 12x12) forward+backward"));
        assertEquals("train NS", PeerReport.shortName("training step, noisy-softplus"));
        assertEquals("LIF pop dt 0.1", PeerReport.shortName("Fig. 2 population, dt 0.1 ms"));
    }

    @Test
    void loadAverageIsReadFromProcLoadavgFormat() {
        assertEquals(9.45, PeerReport.firstNumber("9.45 9.51 8.32"));
        assertEquals(Double.NaN, PeerReport.firstNumber("?"));
    }
}
