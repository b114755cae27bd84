/**
 * Examples of nsp used as a library: they see only what {@code dev.nsp.core} exports, like any application.
 */
module dev.nsp.examples {
    requires dev.nsp.core;

    exports dev.nsp.examples;
}
