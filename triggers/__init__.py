"""Event-triggered utility messages: business events in, gated template sends out (docs/triggers.md)."""
