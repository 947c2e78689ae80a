{ config.meta.words = "three"; }
