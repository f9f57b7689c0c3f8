"""The reference catalog of protected images and the matcher that searches it."""
