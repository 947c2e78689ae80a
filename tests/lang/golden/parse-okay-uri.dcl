[ https://example.org/x?y=1&z=%20 mailto:a@b.c x:x ]
