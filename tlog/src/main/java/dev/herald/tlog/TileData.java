package dev.herald.tlog;

import java.util.Arrays;

/**
 * A tile or entry bundle with its bytes, as the writer hands them to storage and a server serves
 * them. Immutable: the bytes are copied in and out.
 *
 * @param id which resource
 * @param bytes its exact {@code tlog-tiles} bytes
 */
public record TileData(TileId id, byte[] bytes) {
  /** Copies the bytes. */
  public TileData {
    bytes = bytes.clone();
  }

  /** {@return a copy of the bytes} */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** {@return the number of bytes, without a copy} */
  public int length() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TileData t && id.equals(t.id) && Arrays.equals(bytes, t.bytes);
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return id + " (" + bytes.length + " bytes)";
  }
}
