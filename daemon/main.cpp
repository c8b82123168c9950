#include <cstdio>

int main() { std::puts("tandemd " TANDEM_VERSION); return 0; }
