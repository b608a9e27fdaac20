/* ops.h -- every operator of the expression graph, described once.
 *
 * Included with OP defined to build the enum, the name table and the property
 * tables (QBE's ops.h idea): adding an operator is one line here plus its
 * derivative rule (derive.c, propagate()), its C spelling is the last column.
 *
 *   OP(name, arity, commutative, c_spelling)
 *
 * arity: number of operands (0 for leaves).
 * commutative: operands are sorted by id before hashing, so a*b and b*a are
 *   one node.
 * c_spelling: the C function (unary/binary math) or operator the emitter
 *   writes; "" when the emitter has a special case.
 *
 * Comparison and logic operators yield 1.0 or 0.0, as AMPL's do; they have no
 * derivative (they are piecewise constant).
 */
#ifndef OP
#error "define OP(name, arity, commutative, c_spelling) before including ops.h"
#endif

/* leaves */
OP(CONST,  0, 0, "")       /* a double constant, node.value */
OP(VAR,    0, 0, "")       /* x[node.index], 0-based AMPL order */
OP(DATA,   0, 0, "")       /* element k of run-time input array a (graph_data):
                              a param with no value at generation time */

/* arithmetic */
OP(ADD,    2, 1, "+")
OP(SUB,    2, 0, "-")
OP(MUL,    2, 1, "*")
OP(DIV,    2, 0, "/")
OP(NEG,    1, 0, "-")
OP(POW,    2, 0, "pow")    /* a^b, general */
OP(POWI,   1, 0, "")       /* a^k, k = node.index as a signed int (small k) */

/* elementary functions */
OP(SQRT,   1, 0, "sqrt")
OP(EXP,    1, 0, "exp")
OP(LOG,    1, 0, "log")
OP(LOG10,  1, 0, "log10")
OP(SIN,    1, 0, "sin")
OP(COS,    1, 0, "cos")
OP(TAN,    1, 0, "tan")
OP(ASIN,   1, 0, "asin")
OP(ACOS,   1, 0, "acos")
OP(ATAN,   1, 0, "atan")
OP(ATAN2,  2, 0, "atan2")
OP(SINH,   1, 0, "sinh")
OP(COSH,   1, 0, "cosh")
OP(TANH,   1, 0, "tanh")

/* non-smooth: the active branch is differentiated, as AMPL's solver library does */
OP(ABS,    1, 0, "fabs")
OP(SIGN,   1, 0, "")       /* -1, 0 or 1: the derivative of abs */
OP(FLOOR,  1, 0, "floor")
OP(CEIL,   1, 0, "ceil")
OP(ROUND,  1, 0, "round")
OP(MIN,    2, 1, "fmin")
OP(MAX,    2, 1, "fmax")
OP(MOD,    2, 0, "fmod")   /* AMPL's mod: a - b*trunc(a/b) */
OP(DIVI,   2, 0, "")       /* AMPL's div: trunc(a/b) */

/* comparisons and logic: 1.0 or 0.0 */
OP(LT,     2, 0, "<")
OP(LE,     2, 0, "<=")
OP(EQ,     2, 1, "==")
OP(NE,     2, 1, "!=")
OP(AND,    2, 1, "&&")
OP(OR,     2, 1, "||")
OP(NOT,    1, 0, "!")

/* if c then a else b: operands (c, a, b); only the taken branch matters */
OP(IF,     3, 0, "")

#undef OP
