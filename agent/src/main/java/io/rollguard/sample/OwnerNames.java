package io.rollguard.sample;

import java.io.IOException;

/** Names for the uids that own what a sampler reports, as {@code ipcs} and {@code ls} show them. */
interface OwnerNames {
    /** Called before each sample: a source that can change (the passwd file, NSS) is looked at again if due. */
    void refresh() throws IOException;

    /** The user's name, or the uid in decimal when nothing names it. */
    String name(long uid);
}
