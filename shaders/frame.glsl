// Video frames in a GPU buffer of uints: the plane layout shared with the host
// (render/frame_layout.cpp), byte access, and YUV <-> RGB conversion.
// Layouts: 0 RGBA8, 1 YUV420P, 2 NV12, 3 YUYV422 (render::PixelLayout order).
// Planes are stored for a width padded to 8 and a height padded to 2, so that one
// invocation can write whole uints of every plane for an 8x2 pixel block.

int paddedWidth(int w) { return (w + 7) / 8 * 8; }
int paddedHeight(int h) { return (h + 1) / 2 * 2; }

int planeStride(int fmt, int plane, int w)
{
    const int pw = paddedWidth(w);
    if (fmt == 0) return pw * 4;
    if (fmt == 3) return pw * 2;
    if (fmt == 1) return plane == 0 ? pw : pw / 2;
    return pw;  // NV12: Y and interleaved UV rows are both pw bytes
}

int planeOffset(int fmt, int plane, int w, int h)
{
    const int ph = paddedHeight(h);
    if (plane == 0) return 0;
    int offset = planeStride(fmt, 0, w) * ph;
    if (plane == 2) offset += planeStride(fmt, 1, w) * (ph / 2);
    return offset;
}

uint byteAt(int offset, int index)  // reads frameData, which the includer declares
{
    const int b = offset + index;
    return (FRAME_DATA(b >> 2) >> uint((b & 3) * 8)) & 0xffu;
}

// Y'CbCr coefficients: matrix 0 = BT.601, 1 = BT.709; range 0 = limited, 1 = full.
vec3 yuvToRgb(float y, float u, float v, int matrix, int range)
{
    float kr = matrix == 0 ? 0.299 : 0.2126, kb = matrix == 0 ? 0.114 : 0.0722;
    float kg = 1.0 - kr - kb;
    float yn = range == 0 ? (y - 16.0) / 219.0 : y / 255.0;
    float un = range == 0 ? (u - 128.0) / 224.0 : (u - 128.0) / 255.0;
    float vn = range == 0 ? (v - 128.0) / 224.0 : (v - 128.0) / 255.0;
    float r = yn + 2.0 * (1.0 - kr) * vn;
    float b = yn + 2.0 * (1.0 - kb) * un;
    float g = (yn - kr * r - kb * b) / kg;
    return clamp(vec3(r, g, b), 0.0, 1.0) * 255.0;
}

vec3 rgbToYuv(vec3 rgb, int matrix, int range)
{
    float kr = matrix == 0 ? 0.299 : 0.2126, kb = matrix == 0 ? 0.114 : 0.0722;
    vec3 c = rgb / 255.0;
    float yn = kr * c.r + (1.0 - kr - kb) * c.g + kb * c.b;
    float un = (c.b - yn) / (2.0 * (1.0 - kb));
    float vn = (c.r - yn) / (2.0 * (1.0 - kr));
    if (range == 0)
        return vec3(16.0 + 219.0 * yn, 128.0 + 224.0 * un, 128.0 + 224.0 * vn);
    return vec3(255.0 * yn, 128.0 + 255.0 * un, 128.0 + 255.0 * vn);
}

// RGB (0..255, alpha 255) of pixel (x, y) of a w x h frame; chroma taken from the
// co-sited sample of its 2x2 (or 2x1) block.
vec4 fetchFramePixel(int fmt, int matrix, int range, int w, int h, int x, int y)
{
    if (fmt == 0) {
        uint p = FRAME_DATA((y * planeStride(0, 0, w)) / 4 + x);
        return vec4(float(p & 0xffu), float((p >> 8) & 0xffu), float((p >> 16) & 0xffu), 255.0);
    }
    float Y, U, V;
    if (fmt == 3) {
        const int row = y * planeStride(3, 0, w), pair = (x / 2) * 4;
        Y = float(byteAt(row, pair + (x & 1) * 2));
        U = float(byteAt(row, pair + 1));
        V = float(byteAt(row, pair + 3));
    } else {
        Y = float(byteAt(y * planeStride(fmt, 0, w), x));
        const int cy = y / 2, cx = x / 2;
        if (fmt == 1) {
            U = float(byteAt(planeOffset(1, 1, w, h) + cy * planeStride(1, 1, w), cx));
            V = float(byteAt(planeOffset(1, 2, w, h) + cy * planeStride(1, 2, w), cx));
        } else {
            const int row = planeOffset(2, 1, w, h) + cy * planeStride(2, 1, w);
            U = float(byteAt(row, cx * 2));
            V = float(byteAt(row, cx * 2 + 1));
        }
    }
    return vec4(yuvToRgb(Y, U, V, matrix, range), 255.0);
}
