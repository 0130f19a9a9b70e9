# A set literal is its own set: a duplicate in it is named relative to it.
{
  outer = {
    x = 1;
    inherit ({ x = 2; }) x;
  };
}
