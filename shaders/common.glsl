// Shared declarations: the storage type macros that make fp16 storage a build variant.
// Tensors are channel-packed by four: element (c4, y, x) is a vec4 at (c4 * H + y) * W + x.
#ifdef STYLIZE_FP16_STORAGE
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define sfp4 f16vec4
#define LOAD4(buf, i) vec4(buf[i])
#define STORE4(buf, i, v) buf[i] = f16vec4(v)
#else
#define sfp4 vec4
#define LOAD4(buf, i) buf[i]
#define STORE4(buf, i, v) buf[i] = (v)
#endif

// Mirror index i into [0, n) without repeating the edge (PyTorch ReflectionPad2d).
int reflectIndex(int i, int n)
{
    i = i < 0 ? -i : i;
    return i >= n ? 2 * n - 2 - i : i;
}

// Flat index of this invocation for 1-D work spread over a 2-D grid (dispatches are
// limited to 65535 workgroups per dimension; big tensors need more).
// Row width in workgroups of such grids; render/ops/gpu_op.cpp flatGroups() uses the same.
#define FLAT_ROW_GROUPS 32768
int flatInvocation(int localSize)
{
    return int(gl_WorkGroupID.y) * FLAT_ROW_GROUPS * localSize + int(gl_GlobalInvocationID.x);
}
