"""Pure logic shared by every part: no I/O, no clock reads (time is passed in)."""
