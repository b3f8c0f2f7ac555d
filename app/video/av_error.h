// FFmpeg error codes as sentences, and the exception the video layer throws.
#pragma once

#include <stdexcept>
#include <string>

namespace stylize::video {

// A failure a user can act on; what() is a whole sentence naming the file or device.
class VideoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// "No such file or directory", "Invalid data found when processing input"...
std::string averrorText(int code);

// Throws VideoError(context + ": " + averrorText(code) + ".") when code < 0; returns code.
int checkAv(int code, const std::string& context);

// FFmpeg's own log: quiet by default (we report errors ourselves), all of it when
// verbose. The last error line FFmpeg logged is kept for messages that need a reason.
void configureFfmpegLog(bool verbose);
std::string lastFfmpegLogError();

// Error lines FFmpeg logged for one context (a decoder, say) since it was watched:
// some decoders conceal damage and return success, but they do log it.
void watchLogErrors(const void* context);
void unwatchLogErrors(const void* context);
int logErrorsOf(const void* context);

}  // namespace stylize::video
