package dev.parley.message;

/** A message the store has accepted: a room message or a direct message. */
public sealed interface StoredMessage permits RoomMessage, DirectMessage {
}
