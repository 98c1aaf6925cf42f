// A clean library header.
#include <string>
