{ anything = "goes"; other = "too"; }
