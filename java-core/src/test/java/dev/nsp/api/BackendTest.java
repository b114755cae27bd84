package dev.nsp.api;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BackendTest {

    @Test
    void listsTheBackendsOfThisModuleBestFirst() {
        List<Backend.Info> list = Backend.list();
        List<String> names = list.stream().map(Backend.Info::name).toList();
        assertTrue(names.contains("reference") && names.contains("vector"), names.toString());
        assertEquals("reference", names.getLast(), "reference is tried last");
        Backend.Info ref = list.getLast();
        assertTrue(ref.available() && ref.automatic(), ref.toString());
        assertFalse(ref.detail().isBlank());
    }

    @Test
    void namedBackendsAreOwnedAndClosable() {
        Backend b = Backend.named(" Reference ");
        assertEquals("reference", b.name());
        assertTrue(b.readsHeapInPlace());
        NoisySoftplus ns = NoisySoftplus.of(1, 1, b);
        float[] y = new float[1];
        ns.forward(new float[] {1}, new float[] {0}, y);
        assertEquals(1f, y[0]);
        b.close();
        b.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ns.forward(new float[] {1}, new float[] {0}, y));
        assertEquals("backend 'reference' is closed", e.getMessage());
        assertTrue(b.toString().contains("closed"));
    }

    @Test
    void unknownBackendsAreNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.named("cuda"));
        assertTrue(e.getMessage().contains("'cuda' is unknown"), e.getMessage());
        assertTrue(e.getMessage().contains("reference"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Backend.named(null));
    }

    @Test
    void theAutomaticBackendIsSharedAndSurvivesClose() {
        Backend a = Backend.automatic();
        assertSame(a, Backend.automatic());
        a.close();
        NoisySoftplus.of(0.3, 1, a).forward(new float[] {1}, new float[] {1}, new float[1]);
        assertNotNull(a.name());
    }
}
