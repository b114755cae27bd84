package dev.nsp.cli;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Links to the incubator module; used only after the module was found. */
final class VectorInfo {
    private VectorInfo() {
    }

    static String describe() {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        return s.length() + " floats (" + s.vectorBitSize() + "-bit " + s + ")";
    }
}
