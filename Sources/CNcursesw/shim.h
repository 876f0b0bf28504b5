#ifndef LEDGERCHAT_CNCURSESW_SHIM_H
#define LEDGERCHAT_CNCURSESW_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>

/* Macros and variadic functions that Swift cannot import, as plain functions. */

static inline WINDOW *lc_stdscr(void) { return stdscr; }
static inline int lc_lines(void) { return LINES; }
static inline int lc_cols(void) { return COLS; }

static inline void lc_getmaxyx(WINDOW *window, int *rows, int *columns) {
    int y, x;
    getmaxyx(window, y, x);
    *rows = y;
    *columns = x;
}

static inline attr_t lc_attr_bold(void) { return A_BOLD; }
static inline attr_t lc_attr_dim(void) { return A_DIM; }
static inline attr_t lc_attr_reverse(void) { return A_REVERSE; }
static inline attr_t lc_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t lc_attr_normal(void) { return A_NORMAL; }
static inline attr_t lc_color_pair(short pair) { return COLOR_PAIR(pair); }

/* printw and mvprintw are variadic; callers format in Swift and print the finished string. */
static inline int lc_mvaddstr(int row, int column, const char *text) {
    return mvaddstr(row, column, text);
}
static inline int lc_printw_string(const char *text) { return printw("%s", text); }

static inline int lc_attrset(attr_t attributes) { return attrset(attributes); }
static inline int lc_move(int row, int column) { return move(row, column); }
static inline int lc_clearok_stdscr(int flag) { return clearok(stdscr, flag); }
static inline attr_t lc_attr_italic(void) { return A_ITALIC; }
static inline int lc_colors(void) { return COLORS; }

static inline const char *lc_curses_version(void) { return curses_version(); }

static inline int lc_key_resize(void) { return KEY_RESIZE; }
static inline int lc_key_mouse(void) { return KEY_MOUSE; }

#endif
