# After an attribute name, a path may go on or end with =.
{ a ... }
