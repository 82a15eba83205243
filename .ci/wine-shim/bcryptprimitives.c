/* TEST-ONLY stand-in for bcryptprimitives.dll, for running exdoctor.exe under Wine 8.0.
 *
 * Rust's standard library (1.78+) imports ProcessPrng from bcryptprimitives.dll, which
 * every supported Windows (10 / Server 2016 and later) has and Wine 8.0 does not. This
 * DLL exports ProcessPrng on top of RtlGenRandom (advapi32 SystemFunction036). It is
 * built by .ci/windows-smoke into the smoke test's own folder, next to the exe under
 * test. NEVER ship it: scripts/package-windows.sh packages the exe alone, and the real
 * Windows DLL must always win.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
