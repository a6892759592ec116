package io.rollguard.journal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Space reserved for the state when the agent starts, {@code state_dir/state.reserve}: two slots of
 * {@link #SLOT_BYTES}, written in place, so that a write needs no block the disk could refuse. What the state file
 * falls back to when it cannot be replaced (a full disk, often the very failure a bad release causes): the latch of a
 * rollback still reaches the disk, and a restart does not run the rollback again.
 *
 * <p>Each slot holds a header (a magic number, the write's generation, the length, a CRC-32 of the three and the
 * bytes) and the state's JSON. Writes alternate between the slots by generation, so a write torn by a crash leaves
 * the other slot whole: the newest slot whose checksum holds is the reserve's state.
 */
final class StateReserve {
    static final String FILE_NAME = "state.reserve";
    static final String TEMP_NAME = "state.reserve.tmp";
    /** The largest state the reserve holds: 256 KiB, some hundred times a state of ten latches and a deployment. */
    static final int SLOT_BYTES = 256 * 1024;
    private static final long MAGIC = 0x52475354_41544531L; // "RGSTATE1"
    private static final int HEADER_BYTES = Long.BYTES + Long.BYTES + Integer.BYTES + Long.BYTES;

    /** A whole slot: the generation it was written at and the state's JSON. */
    record Slot(long generation, byte[] bytes) {}

    private final Path dir;
    private final Path file;
    private final Path temp;

    StateReserve(Path dir) {
        this.dir = requireNonNull(dir, "dir");
        this.file = dir.resolve(FILE_NAME);
        this.temp = dir.resolve(TEMP_NAME);
    }

    Path path() {
        return file;
    }

    /**
     * Makes sure the reserve exists at its full size, its blocks allocated (written as zeros and forced, not a sparse
     * file); a reserve already there at that size is kept as it is.
     */
    void reserve() throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) == 2L * SLOT_BYTES) {
            return;
        }
        StateDirectory.replace(dir, file, temp, new byte[2 * SLOT_BYTES]);
    }

    /** The newest whole slot; empty when there is no reserve or no slot was ever written (or both are torn). */
    Optional<Slot> newest() throws IOException {
        byte[] all;
        try {
            all = io.rollguard.common.BoundedFiles.read(file, 2 * SLOT_BYTES, "the state's reserved space");
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Slot newest = null;
        for (int slot = 0; slot < 2 && (slot + 1) * (long) SLOT_BYTES <= all.length; slot++) {
            Slot read = read(ByteBuffer.wrap(all, slot * SLOT_BYTES, SLOT_BYTES).slice());
            if (read != null && (newest == null || read.generation() > newest.generation())) {
                newest = read;
            }
        }
        return Optional.ofNullable(newest);
    }

    private static Slot read(ByteBuffer slot) {
        if (slot.getLong() != MAGIC) {
            return null;
        }
        long generation = slot.getLong();
        int length = slot.getInt();
        long crc = slot.getLong();
        if (length < 0 || length > SLOT_BYTES - HEADER_BYTES) {
            return null;
        }
        byte[] bytes = new byte[length];
        slot.get(bytes);
        return checksum(generation, bytes) == crc ? new Slot(generation, bytes) : null;
    }

    /**
     * Writes {@code bytes} in place into the slot of {@code generation} (the other holds the previous write) and
     * forces it to the disk.
     *
     * @throws IOException if the reserve is missing, the state is larger than a slot, or the write fails
     */
    void write(long generation, byte[] bytes) throws IOException {
        if (bytes.length > SLOT_BYTES - HEADER_BYTES) {
            throw new IOException("the state (" + bytes.length + " bytes) is larger than the space reserved for it ("
                    + (SLOT_BYTES - HEADER_BYTES) + " bytes)");
        }
        if (!Files.isRegularFile(file) || Files.size(file) != 2L * SLOT_BYTES) {
            throw new IOException(file + " is missing: no space was reserved when the agent started");
        }
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES + bytes.length);
        buffer.putLong(MAGIC).putLong(generation).putInt(bytes.length).putLong(checksum(generation, bytes)).put(bytes);
        buffer.flip();
        // WRITE without CREATE or TRUNCATE: the blocks stay the ones allocated at the start.
        try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.WRITE))) {
            long position = (generation % 2) * SLOT_BYTES;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            channel.force(false);
        }
    }

    private static long checksum(long generation, byte[] bytes) {
        CRC32 crc = new CRC32();
        ByteBuffer header = ByteBuffer.allocate(Long.BYTES + Integer.BYTES).putLong(generation).putInt(bytes.length);
        crc.update(header.array());
        crc.update(bytes);
        return crc.getValue();
    }
}
