package dev.nsp.opencl;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.KernelProvider;
import dev.nsp.kernel.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Device selection, the probe's answers, and start-up without OpenCL. */
class ProviderTest {

    private static <T> T withProperty(String key, String value, Supplier<T> body) {
        String old = System.getProperty(key);
        try {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
            return body.get();
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }

    @Test
    void nameAndPriorityPutOpenClBeforeTheVectorBackend() {
        OpenClProvider p = new OpenClProvider();
        assertEquals("opencl", p.name());
        assertEquals(50, p.priority());
        assertTrue(Backends.probeAll().stream().anyMatch(x -> x.name().equals("opencl")),
                "the provider is registered in META-INF/services");
    }

    @Test
    void aCpuDeviceIsOnlyUsedWhenForcedAndAGpuAutomatically() {
        OpenClTestSupport.requireOpenCl();
        ClDevice d = OpenClProvider.chosenDevice();
        KernelProvider.Availability a = new OpenClProvider().probe();
        assertTrue(a.available(), a.detail());
        assertEquals(d.isGpu(), a.automatic(), a.detail());
        assertTrue(a.detail().contains(d.name()), a.detail());
        if (!d.isGpu()) {
            assertTrue(a.detail().contains("-Dnsp.backend=opencl"), a.detail());
            // forced: the probe builds the program first, then answers available
            KernelProvider.Availability forced = withProperty(Backends.PROPERTY, "opencl", () -> new OpenClProvider().probe());
            assertTrue(forced.available(), forced.detail());
        }
    }

    @Test
    void deviceProperty() {
        OpenClTestSupport.requireOpenCl();
        List<ClDevice> all = OpenClProvider.devices();
        for (String bad : new String[] {"bogus", "-1", String.valueOf(all.size())}) {
            KernelProvider.Availability a = withProperty(OpenClProvider.DEVICE_PROPERTY, bad, () -> new OpenClProvider().probe());
            assertFalse(a.available(), bad);
            assertTrue(a.detail().contains(OpenClProvider.DEVICE_PROPERTY), a.detail());
            IllegalStateException e = withProperty(OpenClProvider.DEVICE_PROPERTY, bad,
                    () -> assertThrows(IllegalStateException.class, () -> new OpenClProvider().create()));
            assertTrue(e.getMessage().contains(OpenClProvider.DEVICE_PROPERTY), e.getMessage());
        }
        for (int i = 0; i < all.size(); i++) {
            ClDevice d = all.get(i);
            ClDevice chosen = withProperty(OpenClProvider.DEVICE_PROPERTY, String.valueOf(i), OpenClProvider::chosenDevice);
            assertEquals(d.index(), chosen.index());
            String kind = d.isCpu() ? "cpu" : d.isGpu() ? "gpu" : null;
            if (kind != null && d.usable()) {
                ClDevice byKind = withProperty(OpenClProvider.DEVICE_PROPERTY, kind, OpenClProvider::chosenDevice);
                assertEquals(kind.equals("cpu"), byKind.isCpu());
            }
        }
        try (Kernels k = withProperty(OpenClProvider.DEVICE_PROPERTY, "0", () -> new OpenClProvider().create())) {
            assertEquals("opencl", k.name());
        }
    }

    @Test
    void aBuildFailureIsReportedWithTheBuildLog() {
        OpenClTestSupport.requireOpenCl();
        ClDevice d = OpenClProvider.chosenDevice();
        // a macro that breaks activations.cl's helper, as a compiler bug or an unsupported construct would
        ProgramBuildException e = assertThrows(ProgramBuildException.class, () -> ClSession.open(d, "-Dnsp_max0=("));
        assertFalse(e.buildLog().isBlank(), "the build log is kept");
        assertTrue(e.getMessage().contains("build failed on " + d.describe()), e.getMessage());
        String reason = OpenClProvider.trialBuild(d, "-Dnsp_max0=(");
        assertTrue(reason.startsWith("program build failed on"), reason);
        assertEquals("", OpenClProvider.trialBuild(d, ""));
    }

    /**
     * A machine with an ICD loader but no OpenCL driver: the child JVM sees no platform (OCL_ICD_VENDORS points
     * to an empty folder). The probe must say why, and automatic selection must go on to another backend.
     */
    @Test
    void noPlatformMeansUnavailableNotACrash(@TempDir Path empty) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                ProbeMain.class.getName());
        pb.environment().put("OCL_ICD_VENDORS", empty.toString());
        pb.environment().remove("NSP_BACKEND");
        pb.redirectErrorStream(true);
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, proc.exitValue(), out);
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("no OpenCL device") || out.contains("no usable OpenCL runtime"), out);
        assertTrue(out.contains("chosen=") && !out.contains("chosen=opencl"), out);
    }
}
