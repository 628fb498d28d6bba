/* seq2seq.cl - the tokens of the seq2seq addition task (tasks/seq2seq.h)
 * for device code: vocabulary size, the '=' that prompts the decoder, the
 * encoder input length and the counted decoder steps of S2S_DIGITS digits
 * (prepended #define, seq2seq_task_ops.defines).  Composed before the
 * policy's policies/seq2seq.cl and the evaluator's tasks/s2s.cl. */
#define S2S_V 15
#define S2S_EQ 11
#define S2S_IN (2 * S2S_DIGITS + 1)
#define S2S_STEPS (S2S_DIGITS + 1)
