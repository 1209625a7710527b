/*
 * PINs and passphrases: from a flag, else an environment variable, else a
 * prompt without echo when stdin is a terminal. Whatever is returned is a
 * malloc'ed copy that pin_free wipes.
 */
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

bool pin_can_prompt(void)
{
	return isatty(STDIN_FILENO) != 0;
}

static char *prompt_once(const char *prompt)
{
	struct termios old, noecho;
	char buf[256];
	char *pin = NULL;
	size_t n;
	bool restore = false;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		noecho.c_lflag |= ECHONL;
		restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho) == 0;
	}
	if (fgets(buf, sizeof(buf), stdin)) {
		n = strcspn(buf, "\r\n");
		buf[n] = '\0';
		pin = strdup(buf);
	}
	if (restore)
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	wipe(buf, sizeof(buf));
	return pin;
}

char *pin_get(const char *flag, const char *env, const char *prompt, bool confirm)
{
	const char *v = flag;
	char *pin, *again;

	if (!v && env)
		v = getenv(env);
	if (v)
		return strdup(v);
	if (!prompt || !pin_can_prompt())
		return NULL;
	pin = prompt_once(prompt);
	if (!pin || !confirm)
		return pin;
	again = prompt_once("Again: ");
	if (!again || strcmp(pin, again) != 0) {
		errmsg("the two entries differ");
		pin_free(pin);
		pin_free(again);
		return NULL;
	}
	pin_free(again);
	return pin;
}

void pin_free(char *pin)
{
	if (!pin)
		return;
	wipe_str(pin);
	free(pin);
}
