/* parser.y -- the AMPL subset: model statements, script lines, data
 * sections.  A pure, reentrant bison parser over lexer.l; every node gets
 * the line and column where it starts (operators: where the operator is).
 * Semantic checks are not done here: names, dimensions and values are the
 * business of sema.c.
 */
%define api.pure full
%locations
%define parse.error custom
%param {void *scanner}
%parse-param {parse_state *st}

%code requires {
#include "parse_state.h"
}

%code provides {
int yylex(YYSTYPE *yylval, YYLTYPE *yylloc, void *scanner);
}

%code {
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "parse.h"

#define YYMAXDEPTH PARSE_MAX_STACK
#define A (st->arena)
#define L(loc) (loc).first_line, (loc).first_column

/* Every constructor result goes through CHECK: out of memory or nested
 * too deeply ends the parse with one clean diagnostic. */
#define CHECK(dst, expr) do {                                             \
		(dst) = (expr);                                                   \
		if (!(dst)) {                                                     \
			st->nomem = 1;                                                \
			YYABORT;                                                      \
		}                                                                 \
		if (ast_depth_exceeded(dst)) {                                    \
			parse_error_at(st, (dst)->line, (dst)->col,                   \
			               "expression nested too deeply (more than %d levels)", \
			               AST_MAX_DEPTH);                                \
			YYABORT;                                                      \
		}                                                                 \
	} while (0)

#define PUSH(vec, item) do {                                              \
		if (ptr_vec_push(A, &(vec), (item))) {                            \
			st->nomem = 1;                                                \
			YYABORT;                                                      \
		}                                                                 \
	} while (0)

static void yyerror(YYLTYPE *loc, void *scanner, parse_state *st, const char *msg);

static ast_node *with_kids(parse_state *st, ast_node *n, ptr_vec v)
{
	if (!n || ast_set_kids(st->arena, n, (ast_node **)v.items, v.len))
		return NULL;
	return n;
}

static ast_node *node_with(parse_state *st, ast_kind kind, int line, int col,
                           ast_node *k0, ast_node *k1, ast_node *k2, size_t nkids)
{
	ast_node *n = ast_new(st->arena, kind, line, col);
	ast_node *kids[3] = { k0, k1, k2 };
	if (!n || ast_set_kids(st->arena, n, kids, nkids))
		return NULL;
	return n;
}

static ast_node *named(parse_state *st, ast_kind kind, const char *text, int line, int col)
{
	ast_node *n = ast_new(st->arena, kind, line, col);
	if (n)
		n->text = text;
	return n;
}

static int is_comparison(const ast_node *n)
{
	return n->kind == AST_BINARY && !(n->flags & AST_F_PAREN) &&
	       (n->op == OPR_LT || n->op == OPR_LE || n->op == OPR_EQ ||
	        n->op == OPR_NE || n->op == OPR_GE || n->op == OPR_GT);
}

/* a <= b <= c is (a <= b) and (b <= c), as in AMPL. */
static ast_node *compare(parse_state *st, ast_node *left, int op, ast_node *right,
                         int line, int col)
{
	ast_node *last = NULL;
	if ((left->flags & AST_F_CHAIN) && !(left->flags & AST_F_PAREN))
		last = left->kids[1];
	else if (is_comparison(left))
		last = left;
	if (!last)
		return ast_binary(st->arena, (ast_op)op, left, right, line, col);
	ast_node *next = ast_binary(st->arena, (ast_op)op, last->kids[1], right, line, col);
	if (!next)
		return NULL;
	ast_node *both = ast_binary(st->arena, OPR_AND, left, next, line, col);
	if (both)
		both->flags |= AST_F_CHAIN;
	return both;
}
}

%union {
	double num;
	const char *str;
	ast_node *node;
	ptr_vec vec;
	int op;
}

%token <num> NUM "number"
%token <str> IDENT "name"
%token <str> STR "string"
%token <str> DWORD "data value"
%token <str> IGNORED "script command"
%token <str> UNSUPPORTED_STMT "script statement"
%token <str> UNSUPPORTED_OP "operator"
%token <str> PARAM "'param'" SET "'set'" VAR "'var'" MINIMIZE "'minimize'" MAXIMIZE "'maximize'"
%token <str> LET "'let'" IN "'in'" BY "'by'" SUM "'sum'" PROD "'prod'" MIN "'min'" MAX "'max'"
%token <str> IF "'if'" THEN "'then'" ELSE "'else'" AND "'and'" OR "'or'" NOT "'not'"
%token <str> MOD "'mod'" DIV "'div'" LESS "'less'"
%token <str> UNION "'union'" INTER "'inter'" DIFF "'diff'" SYMDIFF "'symdiff'" CROSS "'cross'"
%token <str> WITHIN "'within'" DEFAULT "'default'" INTEGER "'integer'" BINARY "'binary'"
%token <str> SYMBOLIC "'symbolic'" DIMEN "'dimen'" ORDERED "'ordered'" INFINITY_KW "'Infinity'"
%token SUBJECT_TO "'subject to'" DATA_SECTION "'data'"
%token DOTDOT "'..'" ASSIGN "':='" LE "'<='" GE "'>='" EQ "'=='" NE "'!='"
%token D_PARAM "data 'param'" D_SET "data 'set'" D_DEFAULT "data 'default'" TR "'(tr)'"
%token LEXERROR "invalid token"

%precedence IFTHEN
%precedence ELSE
%left OR
%left AND


%precedence NOT
%left UNION DIFF SYMDIFF
%left INTER
%left CROSS
%nonassoc DOTDOT
%precedence BY
%left '+' '-' LESS
%precedence SUMPREC
%left '*' '/' MOD DIV
%precedence UMINUS
%right '^'

%type <node> aexpr lexpr rel primary indexing opt_indexing entry attr ditem opt_ddefault
%type <node> let_target
%type <vec> args entries attrs ditems dnames
%type <op> relop iter opt_tr

%%

program
	: %empty
	| program stmt
	;

stmt
	: decl              { }
	| data_stmt         { }
	| DATA_SECTION ';'  { }
	| ';'               { }
	| IGNORED ';'       {
		ast_node *n;
		CHECK(n, named(st, AST_IGNORED, $1, L(@1)));
		PUSH(st->stmts, n);
	  }
	| UNSUPPORTED_STMT  {
		if (strcmp($1, "include") == 0 || strcmp($1, "commands") == 0 || strcmp($1, "read") == 0)
			parse_error_at(st, L(@1), "unsupported script statement '%s': give model and "
			               "data files on the command line instead", $1);
		else
			parse_error_at(st, L(@1), "unsupported script statement '%s': loops and "
			               "conditional statements are not part of the supported subset", $1);
		YYABORT;
	  }
	;

decl
	: SET IDENT opt_indexing attrs ';' {
		ast_node *n;
		CHECK(n, with_kids(st, named(st, AST_SET_DECL, $2, L(@2)), $4));
		n->cond = $3;
		PUSH(st->stmts, n);
	  }
	| PARAM IDENT opt_indexing attrs ';' {
		ast_node *n;
		CHECK(n, with_kids(st, named(st, AST_PARAM_DECL, $2, L(@2)), $4));
		n->cond = $3;
		PUSH(st->stmts, n);
	  }
	| VAR IDENT opt_indexing attrs ';' {
		ast_node *n;
		CHECK(n, with_kids(st, named(st, AST_VAR_DECL, $2, L(@2)), $4));
		n->cond = $3;
		PUSH(st->stmts, n);
	  }
	| MINIMIZE IDENT opt_indexing ':' lexpr ';' {
		ast_node *n;
		CHECK(n, node_with(st, AST_OBJECTIVE, L(@2), $5, NULL, NULL, 1));
		n->text = $2;
		n->cond = $3;
		n->op = 0;
		PUSH(st->stmts, n);
	  }
	| MAXIMIZE IDENT opt_indexing ':' lexpr ';' {
		ast_node *n;
		CHECK(n, node_with(st, AST_OBJECTIVE, L(@2), $5, NULL, NULL, 1));
		n->text = $2;
		n->cond = $3;
		n->op = 1;
		PUSH(st->stmts, n);
	  }
	| SUBJECT_TO IDENT opt_indexing ':' lexpr ';' {
		ast_node *n;
		CHECK(n, node_with(st, AST_CONSTRAINT, L(@2), $5, NULL, NULL, 1));
		n->text = $2;
		n->cond = $3;
		PUSH(st->stmts, n);
	  }
	| IDENT opt_indexing ':' lexpr ';' {
		ast_node *n;
		CHECK(n, node_with(st, AST_CONSTRAINT, L(@1), $4, NULL, NULL, 1));
		n->text = $1;
		n->cond = $2;
		PUSH(st->stmts, n);
	  }
	| LET opt_indexing let_target ASSIGN lexpr ';' {
		ast_node *n;
		CHECK(n, node_with(st, AST_LET, L(@1), $5, NULL, NULL, 1));
		n->cond = $2;
		n->extra = $3;
		PUSH(st->stmts, n);
	  }
	;

let_target
	: IDENT                 { CHECK($$, named(st, AST_NAME, $1, L(@1))); }
	| IDENT '[' args ']'    {
		CHECK($$, with_kids(st, named(st, AST_NAME, $1, L(@1)), $3));
		$$->flags |= AST_F_SUBSCRIPT;
	  }
	;

opt_indexing
	: %empty    { $$ = NULL; }
	| indexing  { $$ = $1; }
	;

attrs
	: %empty          { $$ = (ptr_vec){0}; }
	| attrs attr      { $$ = $1; PUSH($$, $2); }
	| attrs ',' attr  { $$ = $1; PUSH($$, $3); }
	;

attr
	: ASSIGN aexpr     { CHECK($$, node_with(st, AST_ATTR, L(@1), $2, NULL, NULL, 1)); $$->op = ATTR_ASSIGN; }
	| '=' aexpr        { CHECK($$, node_with(st, AST_ATTR, L(@1), $2, NULL, NULL, 1)); $$->op = ATTR_DEFINE; }
	| DEFAULT aexpr    { CHECK($$, node_with(st, AST_ATTR, L(@1), $2, NULL, NULL, 1)); $$->op = ATTR_DEFAULT; }
	| GE aexpr         { CHECK($$, node_with(st, AST_ATTR, L(@1), $2, NULL, NULL, 1)); $$->op = ATTR_GE; }
	| LE aexpr         { CHECK($$, node_with(st, AST_ATTR, L(@1), $2, NULL, NULL, 1)); $$->op = ATTR_LE; }
	| '>' aexpr        { CHECK($$, node_with(st, AST_ATTR, L(@1), $2, NULL, NULL, 1)); $$->op = ATTR_GT; }
	| '<' aexpr        { CHECK($$, node_with(st, AST_ATTR, L(@1), $2, NULL, NULL, 1)); $$->op = ATTR_LT; }
	| NE aexpr         { CHECK($$, node_with(st, AST_ATTR, L(@1), $2, NULL, NULL, 1)); $$->op = ATTR_NE; }
	| EQ aexpr         { CHECK($$, node_with(st, AST_ATTR, L(@1), $2, NULL, NULL, 1)); $$->op = ATTR_EQ; }
	| IN aexpr         { CHECK($$, node_with(st, AST_ATTR, L(@1), $2, NULL, NULL, 1)); $$->op = ATTR_IN; }
	| WITHIN aexpr     { CHECK($$, node_with(st, AST_ATTR, L(@1), $2, NULL, NULL, 1)); $$->op = ATTR_WITHIN; }
	| DIMEN NUM        {
		ast_node *v;
		CHECK(v, ast_leaf_num(A, $2, L(@2)));
		CHECK($$, node_with(st, AST_ATTR, L(@1), v, NULL, NULL, 1));
		$$->op = ATTR_DIMEN;
	  }
	| INTEGER          { CHECK($$, node_with(st, AST_ATTR, L(@1), NULL, NULL, NULL, 0)); $$->op = ATTR_INTEGER; }
	| BINARY           { CHECK($$, node_with(st, AST_ATTR, L(@1), NULL, NULL, NULL, 0)); $$->op = ATTR_BINARY; }
	| SYMBOLIC         { CHECK($$, node_with(st, AST_ATTR, L(@1), NULL, NULL, NULL, 0)); $$->op = ATTR_SYMBOLIC; }
	| ORDERED          { CHECK($$, node_with(st, AST_ATTR, L(@1), NULL, NULL, NULL, 0)); $$->op = ATTR_ORDERED; }
	;

/* logical expressions: comparisons, in, and/or/not */
lexpr
	: lexpr OR lexpr   { CHECK($$, ast_binary(A, OPR_OR, $1, $3, L(@2))); }
	| lexpr AND lexpr  { CHECK($$, ast_binary(A, OPR_AND, $1, $3, L(@2))); }
	| NOT lexpr        { CHECK($$, ast_unary(A, OPR_NOT, $2, L(@1))); }
	| rel              { $$ = $1; }
	;

rel
	: aexpr                  { $$ = $1; }
	| rel relop aexpr        { CHECK($$, compare(st, $1, $2, $3, L(@2))); }
	| aexpr IN aexpr         { CHECK($$, ast_binary(A, OPR_IN, $1, $3, L(@2))); }
	| aexpr NOT IN aexpr     { CHECK($$, ast_binary(A, OPR_NOTIN, $1, $4, L(@2))); }
	;

relop
	: '<'  { $$ = OPR_LT; }
	| LE   { $$ = OPR_LE; }
	| '='  { $$ = OPR_EQ; }
	| EQ   { $$ = OPR_EQ; }
	| NE   { $$ = OPR_NE; }
	| GE   { $$ = OPR_GE; }
	| '>'  { $$ = OPR_GT; }
	;

/* arithmetic and set expressions */
aexpr
	: aexpr '+' aexpr      { CHECK($$, ast_chain(A, OPR_ADD, $1, $3, L(@2))); }
	| aexpr '-' aexpr      { CHECK($$, ast_chain(A, OPR_SUB, $1, $3, L(@2))); }
	| aexpr LESS aexpr     { CHECK($$, ast_binary(A, OPR_LESS, $1, $3, L(@2))); }
	| aexpr '*' aexpr      { CHECK($$, ast_binary(A, OPR_MUL, $1, $3, L(@2))); }
	| aexpr '/' aexpr      { CHECK($$, ast_binary(A, OPR_DIV, $1, $3, L(@2))); }
	| aexpr MOD aexpr      { CHECK($$, ast_binary(A, OPR_MOD, $1, $3, L(@2))); }
	| aexpr DIV aexpr      { CHECK($$, ast_binary(A, OPR_DIVI, $1, $3, L(@2))); }
	| aexpr '^' aexpr      { CHECK($$, ast_binary(A, OPR_POW, $1, $3, L(@2))); }
	| '-' aexpr %prec UMINUS  { CHECK($$, ast_unary(A, OPR_NEG, $2, L(@1))); }
	| '+' aexpr %prec UMINUS  { CHECK($$, ast_unary(A, OPR_PLUS, $2, L(@1))); }
	| aexpr UNION aexpr    { CHECK($$, ast_binary(A, OPR_UNION, $1, $3, L(@2))); }
	| aexpr INTER aexpr    { CHECK($$, ast_binary(A, OPR_INTER, $1, $3, L(@2))); }
	| aexpr DIFF aexpr     { CHECK($$, ast_binary(A, OPR_DIFF, $1, $3, L(@2))); }
	| aexpr SYMDIFF aexpr  { CHECK($$, ast_binary(A, OPR_SYMDIFF, $1, $3, L(@2))); }
	| aexpr CROSS aexpr    { CHECK($$, ast_binary(A, OPR_CROSS, $1, $3, L(@2))); }
	| aexpr DOTDOT aexpr   { CHECK($$, node_with(st, AST_RANGE, L(@2), $1, $3, NULL, 2)); }
	| aexpr DOTDOT aexpr BY aexpr { CHECK($$, node_with(st, AST_RANGE, L(@2), $1, $3, $5, 3)); }
	| iter indexing aexpr %prec SUMPREC {
		CHECK($$, node_with(st, AST_ITER, L(@1), $2, $3, NULL, 2));
		$$->op = (uint8_t)$1;
	  }
	| IF lexpr THEN aexpr %prec IFTHEN {
		CHECK($$, node_with(st, AST_IF, L(@1), $2, $4, NULL, 3));
	  }
	| IF lexpr THEN aexpr ELSE aexpr {
		CHECK($$, node_with(st, AST_IF, L(@1), $2, $4, $6, 3));
	  }
	| primary              { $$ = $1; }
	;

iter
	: SUM   { $$ = OPR_SUM; }
	| PROD  { $$ = OPR_PROD; }
	| MIN   { $$ = OPR_MIN; }
	| MAX   { $$ = OPR_MAX; }
	;

primary
	: NUM                  { CHECK($$, ast_leaf_num(A, $1, L(@1))); }
	| STR                  { CHECK($$, named(st, AST_STR, $1, L(@1))); }
	| INFINITY_KW          { CHECK($$, ast_new(A, AST_INFINITY, L(@1))); }
	| IDENT                { CHECK($$, named(st, AST_NAME, $1, L(@1))); }
	| IDENT '[' args ']'   {
		CHECK($$, with_kids(st, named(st, AST_NAME, $1, L(@1)), $3));
		$$->flags |= AST_F_SUBSCRIPT;
	  }
	| IDENT '(' args ')'   { CHECK($$, with_kids(st, named(st, AST_CALL, $1, L(@1)), $3)); }
	| MIN '(' args ')'     { CHECK($$, with_kids(st, named(st, AST_CALL, "min", L(@1)), $3)); }
	| MAX '(' args ')'     { CHECK($$, with_kids(st, named(st, AST_CALL, "max", L(@1)), $3)); }
	| '(' lexpr ')'        { $$ = $2; $$->flags |= AST_F_PAREN; }
	| '(' aexpr ',' args ')' {
		ptr_vec v = { 0 };
		PUSH(v, $2);
		for (size_t i = 0; i < $4.len; i++)
			PUSH(v, $4.items[i]);
		CHECK($$, with_kids(st, ast_new(A, AST_TUPLE, L(@1)), v));
	  }
	| indexing             { $$ = $1; }
	| UNSUPPORTED_OP       {
		parse_error_at(st, L(@1), "unsupported operator '%s'", $1);
		YYABORT;
	  }
	;

args
	: aexpr                { $$ = (ptr_vec){0}; PUSH($$, $1); }
	| args ',' aexpr       { $$ = $1; PUSH($$, $3); }
	;

indexing
	: '{' '}'              { CHECK($$, ast_new(A, AST_INDEXING, L(@1))); }
	| '{' entries '}'      { CHECK($$, with_kids(st, ast_new(A, AST_INDEXING, L(@1)), $2)); }
	| '{' entries ':' lexpr '}' {
		ast_node *n = ast_new(A, AST_INDEXING, L(@1));
		if (n)
			n->cond = $4;
		CHECK($$, with_kids(st, n, $2));
	  }
	;

entries
	: entry                { $$ = (ptr_vec){0}; PUSH($$, $1); }
	| entries ',' entry    { $$ = $1; PUSH($$, $3); }
	;

entry
	: aexpr                { $$ = $1; }
	| aexpr IN aexpr       { CHECK($$, node_with(st, AST_IN, L(@2), $1, $3, NULL, 2)); }
	;

/* data sections */
data_stmt
	: D_PARAM DWORD opt_ddefault ASSIGN ditems ';' {
		ast_node *n;
		CHECK(n, with_kids(st, named(st, AST_DATA_PARAM, $2, L(@2)), $5));
		n->extra = $3;
		PUSH(st->stmts, n);
	  }
	| D_PARAM DWORD opt_ddefault ';' {
		ast_node *n;
		CHECK(n, named(st, AST_DATA_PARAM, $2, L(@2)));
		n->extra = $3;
		PUSH(st->stmts, n);
	  }
	| D_PARAM DWORD opt_ddefault opt_tr ':' ditems ASSIGN ditems ';' {
		ast_node *n;
		CHECK(n, with_kids(st, named(st, AST_DATA_PARAM, $2, L(@2)), $8));
		n->extra = $3;
		n->flags |= AST_F_TABLE | ($4 ? AST_F_TR : 0);
		n->head = (ast_node **)$6.items;
		n->nhead = $6.len;
		PUSH(st->stmts, n);
	  }
	| D_PARAM opt_ddefault ':' dnames ASSIGN ditems ';' {
		ast_node *n;
		CHECK(n, with_kids(st, named(st, AST_DATA_PARAM, NULL, L(@1)), $6));
		n->extra = $2;
		n->head = (ast_node **)$4.items;
		n->nhead = $4.len;
		PUSH(st->stmts, n);
	  }
	| D_SET DWORD ASSIGN ditems ';' {
		ast_node *n;
		CHECK(n, with_kids(st, named(st, AST_DATA_SET, $2, L(@2)), $4));
		PUSH(st->stmts, n);
	  }
	| D_SET DWORD '[' ditems ']' ASSIGN ditems ';' {
		ast_node *n;
		CHECK(n, with_kids(st, named(st, AST_DATA_SET, $2, L(@2)), $7));
		n->head = (ast_node **)$4.items;
		n->nhead = $4.len;
		n->flags |= AST_F_SUBSCRIPT;
		PUSH(st->stmts, n);
	  }
	;

opt_ddefault
	: %empty          { $$ = NULL; }
	| D_DEFAULT NUM   { CHECK($$, ast_leaf_num(A, $2, L(@2))); }
	;

opt_tr
	: %empty  { $$ = 0; }
	| TR      { $$ = 1; }
	;

dnames
	: DWORD             { ast_node *n; CHECK(n, named(st, AST_STR, $1, L(@1))); $$ = (ptr_vec){0}; PUSH($$, n); }
	| dnames DWORD      { ast_node *n; CHECK(n, named(st, AST_STR, $2, L(@2))); $$ = $1; PUSH($$, n); }
	| dnames ',' DWORD  { ast_node *n; CHECK(n, named(st, AST_STR, $3, L(@3))); $$ = $1; PUSH($$, n); }
	;

ditems
	: %empty            { $$ = (ptr_vec){0}; }
	| ditems ditem      { $$ = $1; if ($2) PUSH($$, $2); }
	;

ditem
	: NUM     { CHECK($$, ast_leaf_num(A, $1, L(@1))); }
	| DWORD   { CHECK($$, named(st, AST_STR, $1, L(@1))); }
	| '.'     { CHECK($$, ast_new(A, AST_DATA_DOT, L(@1))); }
	| ','     { $$ = NULL; }
	| '('     { $$ = NULL; }
	| ')'     { $$ = NULL; }
	;

%%

void parse_error_at(parse_state *st, int line, int col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (st->error_reported)
		return;
	st->error_reported = 1;
	source_loc loc = { st->path, line, col };
	diag_report(st->diags, DIAG_ERROR, loc, st->text, st->len, "%s", msg);
}

static void yyerror(YYLTYPE *loc, void *scanner, parse_state *st, const char *msg)
{
	(void)scanner;
	if (strstr(msg, "exhausted"))
		parse_error_at(st, loc->first_line, loc->first_column,
		               "nested too deeply: the parser's stack limit (%d) is reached",
		               PARSE_MAX_STACK);
	else
		parse_error_at(st, loc->first_line, loc->first_column, "%s", msg);
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, parse_state *st)
{
	(void)scanner;
	if (st->error_reported)
		return 0;
	const YYLTYPE *loc = yypcontext_location(ctx);
	yysymbol_kind_t tok = yypcontext_token(ctx);
	char found[96];
	if (tok == YYSYMBOL_YYEOF)
		snprintf(found, sizeof found, "the end of the file");
	else
		snprintf(found, sizeof found, "'%s'", st->last_token);

	yysymbol_kind_t expected[YYNTOKENS];
	int n = yypcontext_expected_tokens(ctx, expected, YYNTOKENS);
	int expects_close = 0, expects_expr = 0, expects_semicolon = 0;
	char close = 0;
	if (st->nbrackets) {
		char open = st->brackets[st->nbrackets - 1].ch;
		close = open == '(' ? ')' : open == '[' ? ']' : '}';
	}
	for (int i = 0; i < n; i++) {
		const char *name = yysymbol_name(expected[i]);
		if (close && name[0] == '\'' && name[1] == close && name[2] == '\'')
			expects_close = 1;
		if (expected[i] == YYSYMBOL_NUM || expected[i] == YYSYMBOL_IDENT)
			expects_expr = 1;
		if (strcmp(name, "';'") == 0)
			expects_semicolon = 1;
	}
	if (n == 0)
		expects_expr = 0;
	if (expects_close) {
		const open_bracket *b = &st->brackets[st->nbrackets - 1];
		parse_error_at(st, loc->first_line, loc->first_column,
		               "'%c' expected (to close '%c' at %d:%d), found %s",
		               close, b->ch, b->line, b->col, found);
	} else if (expects_expr) {
		parse_error_at(st, loc->first_line, loc->first_column,
		               "expression expected, found %s", found);
	} else if (expects_semicolon) {
		parse_error_at(st, loc->first_line, loc->first_column,
		               "';' expected, found %s", found);
	} else if (n > 0 && n <= 4) {
		char list[256] = "";
		for (int i = 0; i < n; i++) {
			if (i)
				strcat(list, i == n - 1 ? " or " : ", ");
			strncat(list, yysymbol_name(expected[i]), 60);
		}
		parse_error_at(st, loc->first_line, loc->first_column,
		               "%s expected, found %s", list, found);
	} else {
		parse_error_at(st, loc->first_line, loc->first_column,
		               "unexpected %s", found);
	}
	return 0;
}
