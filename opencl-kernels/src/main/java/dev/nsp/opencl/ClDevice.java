package dev.nsp.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.jocl.CL.CL_DEVICE_AVAILABLE;
import static org.jocl.CL.CL_DEVICE_COMPILER_AVAILABLE;
import static org.jocl.CL.CL_DEVICE_EXTENSIONS;
import static org.jocl.CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_SINGLE_FP_CONFIG;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT;
import static org.jocl.CL.CL_PLATFORM_NAME;

/**
 * One OpenCL device as found by {@link #enumerate()}, with what nsp needs to know about it.
 *
 * @param index position in the list of all devices of all platforms (what {@code nsp.opencl.device=<index>} means)
 * @param platform the platform
 * @param device the device
 * @param name the device name
 * @param platformName the platform name
 * @param type CL_DEVICE_TYPE bits
 * @param version CL_DEVICE_VERSION
 * @param fp64 whether the device has cl_khr_fp64 (the LIF loop then matches the reference bit for bit)
 * @param correctlyRoundedDivideSqrt whether float division and sqrt can be built correctly rounded
 * @param maxAllocBytes CL_DEVICE_MAX_MEM_ALLOC_SIZE, bytes
 * @param maxWorkGroupSize CL_DEVICE_MAX_WORK_GROUP_SIZE
 * @param usable whether the device is available and has a compiler
 */
record ClDevice(int index, cl_platform_id platform, cl_device_id device, String name, String platformName,
                long type, String version, boolean fp64, boolean correctlyRoundedDivideSqrt, long maxAllocBytes,
                long maxWorkGroupSize, boolean usable) {

    /** @return true for a GPU or an accelerator: a device that automatic selection may choose */
    boolean isGpu() {
        return (type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)) != 0;
    }

    /** @return true for a CPU device */
    boolean isCpu() {
        return (type & CL_DEVICE_TYPE_CPU) != 0;
    }

    /** @return e.g. {@code device 0 'pthread-...' (CPU, platform 'Portable Computing Language', OpenCL 3.0 ..., fp64)} */
    String describe() {
        String kind = isGpu() ? ((type & CL_DEVICE_TYPE_GPU) != 0 ? "GPU" : "accelerator") : isCpu() ? "CPU" : "other";
        return "OpenCL device " + index + " '" + name + "' (" + kind + ", platform '" + platformName + "', " + version
                + (fp64 ? ", fp64" : ", no fp64") + ")";
    }

    /**
     * Every device of every platform, in platform order.
     *
     * @return the devices; empty when the ICD loader finds no platform
     * @throws LinkageError if JOCL's native library or the OpenCL ICD loader cannot be loaded
     */
    static List<ClDevice> enumerate() {
        ClRuntime.init();
        int[] count = new int[1];
        List<ClDevice> out = new ArrayList<>();
        try {
            CL.clGetPlatformIDs(0, null, count);
        } catch (org.jocl.CLException e) {
            if (e.getStatus() == -1001) {           // CL_PLATFORM_NOT_FOUND_KHR: loader present, no driver
                return out;
            }
            throw e;
        }
        if (count[0] == 0) {
            return out;
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        CL.clGetPlatformIDs(platforms.length, platforms, null);
        for (cl_platform_id platform : platforms) {
            String platformName = platformString(platform, CL_PLATFORM_NAME);
            int[] nd = new int[1];
            try {
                CL.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, nd);
            } catch (org.jocl.CLException e) {      // CL_DEVICE_NOT_FOUND: a platform without devices
                continue;
            }
            cl_device_id[] devices = new cl_device_id[nd[0]];
            CL.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, devices.length, devices, null);
            for (cl_device_id d : devices) {
                long fpConfig = deviceLong(d, CL_DEVICE_SINGLE_FP_CONFIG);
                String extensions = deviceString(d, CL_DEVICE_EXTENSIONS);
                out.add(new ClDevice(out.size(), platform, d, deviceString(d, CL_DEVICE_NAME), platformName,
                        deviceLong(d, CL_DEVICE_TYPE), deviceString(d, CL_DEVICE_VERSION),
                        List.of(extensions.split("\\s+")).contains("cl_khr_fp64"),
                        (fpConfig & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0,
                        deviceLong(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE), deviceSize(d, CL_DEVICE_MAX_WORK_GROUP_SIZE),
                        deviceInt(d, CL_DEVICE_AVAILABLE) != 0 && deviceInt(d, CL_DEVICE_COMPILER_AVAILABLE) != 0));
            }
        }
        return out;
    }

    /**
     * Chooses a device.
     *
     * @param devices what {@link #enumerate()} found
     * @param spec null or blank (the first usable GPU or accelerator, else the first usable CPU), {@code gpu},
     *             {@code cpu}, or an index into {@code devices}
     * @return the device
     * @throws IllegalArgumentException naming {@code nsp.opencl.device} when nothing matches
     */
    static ClDevice select(List<ClDevice> devices, String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no OpenCL device: the ICD loader found no platform with a device");
        }
        switch (s) {
            case "" -> {
                for (ClDevice d : devices) {
                    if (d.usable && d.isGpu()) {
                        return d;
                    }
                }
                for (ClDevice d : devices) {
                    if (d.usable) {
                        return d;
                    }
                }
            }
            case "gpu", "cpu" -> {
                for (ClDevice d : devices) {
                    if (d.usable && (s.equals("gpu") ? d.isGpu() : d.isCpu())) {
                        return d;
                    }
                }
            }
            default -> {
                int i;
                try {
                    i = Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(OpenClProvider.DEVICE_PROPERTY + ": '" + spec
                            + "', must be cpu, gpu or a device index in [0, " + devices.size() + ")");
                }
                if (i < 0 || i >= devices.size()) {
                    throw new IllegalArgumentException(OpenClProvider.DEVICE_PROPERTY + ": index " + i + ", must be in [0, "
                            + devices.size() + "); devices: " + list(devices));
                }
                ClDevice d = devices.get(i);
                if (!d.usable) {
                    throw new IllegalArgumentException(OpenClProvider.DEVICE_PROPERTY + ": " + d.describe()
                            + " is not available or has no compiler");
                }
                return d;
            }
        }
        throw new IllegalArgumentException("no usable OpenCL " + (s.isEmpty() ? "" : s.toUpperCase(Locale.ROOT) + " ")
                + "device (" + OpenClProvider.DEVICE_PROPERTY + "=" + (s.isEmpty() ? "<unset>" : s) + "); devices: "
                + list(devices));
    }

    private static String list(List<ClDevice> devices) {
        List<String> names = new ArrayList<>();
        for (ClDevice d : devices) {
            names.add(d.describe() + (d.usable ? "" : " [unusable]"));
        }
        return String.join("; ", names);
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetPlatformInfo(p, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    private static int deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_int, Pointer.to(v), null);
        return v[0];
    }

    private static long deviceSize(cl_device_id d, int param) {
        if (Sizeof.size_t == Sizeof.cl_ulong) {
            return deviceLong(d, param);
        }
        return deviceInt(d, param) & 0xFFFFFFFFL;
    }

    static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }
}
