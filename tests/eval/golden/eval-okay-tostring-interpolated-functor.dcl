"${{ __toString = self: "interp"; }}"
