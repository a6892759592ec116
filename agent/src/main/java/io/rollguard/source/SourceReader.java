package io.rollguard.source;

/** Reads a source once into a writer. Called on a source worker, never on the scheduler thread. */
interface SourceReader {
    /**
     * @param out receives the series of this read; committed to the store only when this returns
     * @throws ExpositionException when the answer is not what the source expects (a message for the operator)
     */
    void read(io.rollguard.store.SeriesWriter out) throws Exception;
}
