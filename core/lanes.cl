/* lanes.cl - lane types shared by task, policy and rollout device code.
 * VL environments run in the lanes of one work-item: VF is float for
 * VL == 1, floatVL otherwise.  Prepended before task and policy code. */
#define EJ_CAT_(a, b) a##b
#define EJ_CAT(a, b) EJ_CAT_(a, b)
#if VL == 1
#define VF float
#define EJ_VLOAD(p) (*(p))
#define EJ_VSTORE(v, p) (*(p) = (v))
#define EJ_ALL_ZERO(v) ((v) == 0.0f)
#else
#define VF EJ_CAT(float, VL)
#define EJ_VLOAD(p) EJ_CAT(vload, VL)(0, (p))
#define EJ_VSTORE(v, p) EJ_CAT(vstore, VL)((v), 0, (p))
#define EJ_ALL_ZERO(v) all((v) == (VF)0.0f)
#endif
