// Sum of two vec4s (sum, sum of squares) over a workgroup of LOCAL_X lanes, for the
// instance-norm statistics; the total is valid in lane 0 only. Include after defining
// LOCAL_X and MAX_LOCAL; with STYLIZE_SUBGROUP_REDUCE the including shader enables
// GL_KHR_shader_subgroup_basic and GL_KHR_shader_subgroup_arithmetic.
//  - subgroup (built as *_sg, devices with subgroup arithmetic in compute shaders):
//    subgroupAdd in each subgroup, one shared-memory slot per subgroup, lane 0 adds them:
//    one barrier instead of log2(LOCAL_X), no lanes idling in a tree.
//  - shared: a tree over shared memory, log2(LOCAL_X) barriered steps.
shared vec4 reduceSum[MAX_LOCAL];
shared vec4 reduceSq[MAX_LOCAL];

void workgroupSum2(inout vec4 s, inout vec4 sq, int lid)
{
#ifdef STYLIZE_SUBGROUP_REDUCE
    s = subgroupAdd(s);
    sq = subgroupAdd(sq);
    if (subgroupElect()) {
        reduceSum[gl_SubgroupID] = s;
        reduceSq[gl_SubgroupID] = sq;
    }
    barrier();
    // Lane 0 need not be in subgroup 0: it reads every subgroup's slot, its own included.
    if (lid == 0) {
        s = vec4(0.0);
        sq = vec4(0.0);
        for (uint i = 0u; i < gl_NumSubgroups; ++i) {
            s += reduceSum[i];
            sq += reduceSq[i];
        }
    }
#else
    reduceSum[lid] = s;
    reduceSq[lid] = sq;
    barrier();
    for (int stride = LOCAL_X / 2; stride > 0; stride /= 2) {
        if (lid < stride) {
            reduceSum[lid] += reduceSum[lid + stride];
            reduceSq[lid] += reduceSq[lid + stride];
        }
        barrier();
    }
    s = reduceSum[0];
    sq = reduceSq[0];
#endif
}
