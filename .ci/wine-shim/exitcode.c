/* TEST-ONLY helper of .ci/windows-smoke: runs a Windows program under Wine and exits with
 * the program's Windows exit code.
 *
 * Wine 8.0 at times SIGKILLs the Unix process of a Windows program that ends while other
 * threads are still alive (exdoctor's worker threads wait in their pool when main returns;
 * Windows simply ends them), so the shell sees 137 instead of the exit code: about 1 run
 * in 20 of `analyze` here. The Windows exit code is recorded all the same; this
 * single-threaded parent reads it with GetExitCodeProcess and exits with it.
 *
 * exitcode.exe <program> [args...]: the command line after exitcode.exe's own name is
 * passed on verbatim; the standard handles are inherited. 125 if it cannot start.
 *
 * Build: x86_64-w64-mingw32-gcc -municode -O2 -o exitcode.exe exitcode.c
 */
#include <windows.h>

static wchar_t *after_program_name(wchar_t *line)
{
    if (*line == L'"') {
        for (line++; *line && *line != L'"'; line++)
            ;
        if (*line)
            line++;
    } else {
        while (*line && *line != L' ' && *line != L'\t')
            line++;
    }
    while (*line == L' ' || *line == L'\t')
        line++;
    return line;
}

int wmain(void)
{
    wchar_t *line = after_program_name(GetCommandLineW());
    if (!*line)
        return 125;
    STARTUPINFOW startup = {sizeof startup};
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    startup.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    SetHandleInformation(startup.hStdInput, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    SetHandleInformation(startup.hStdOutput, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    SetHandleInformation(startup.hStdError, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    PROCESS_INFORMATION child;
    if (!CreateProcessW(NULL, line, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &child))
        return 125;
    WaitForSingleObject(child.hProcess, INFINITE);
    DWORD code = 125;
    if (!GetExitCodeProcess(child.hProcess, &code))
        code = 125;
    return (int)code;
}
