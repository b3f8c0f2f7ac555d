// The desktop app's engine side: a QObject that lives on its own thread and owns the
// Vulkan device, the loaded styles and the control of the live pipeline (the same
// pipeline::LiveSession as `stylize-cli live`: source → stylizer → view / recording),
// snapshots and exports. The UI talks to it only through queued slots and signals
// carrying the plain types of studio_types.h; this header pulls in no Vulkan or FFmpeg.
#pragma once

#include <memory>

#include <QObject>
#include <QStringList>

#include "studio/studio_types.h"

namespace stylize::pipeline {
struct LiveFrame;
struct LiveStats;
}  // namespace stylize::pipeline

namespace stylize::studio {

// The bundled resources folder (see app/default_styles.h): samples/ and styles/.
QString bundledResourcesDir();

// What to do before pictures can be styles: import Magenta's model, and where it comes from.
QString pictureModelMissingMessage();

struct StudioConfig {
    QString resourcesDir;    // bundled styles/ (the pack for the device is loaded first)
    QStringList modelFiles;  // imported models, after the bundled pack (Magenta's folder among them)
    QStringList pictureStyles;  // the user's pictures as styles (needs Magenta's model in modelFiles)
    QString sampleClip;      // played (looping) when no camera exists
    QString sampleImage;     // what style previews are rendered on
    QString previewCache;    // folder for rendered previews (empty: no cache)
    QString device;          // Vulkan device override (index or name part)
    double targetFps = 15;   // the auto brush size keeps the view at least this live
    int framesInFlight = 0;  // frames the live view and exports keep on the device, 1 or 2 (0: two on a GPU, one on a CPU driver)
};

class StudioController : public QObject {
    Q_OBJECT
public:
    explicit StudioController(StudioConfig config, QObject* parent = nullptr);
    ~StudioController() override;

    static void registerMetaTypes();

    // Thread-safe (called directly, not queued): the view has shown a frameReady frame.
    // The live loop keeps at most one frame waiting in the UI's event queue, so a change
    // of style or strength shows on the next frame instead of behind a backlog.
    void frameShown();

public slots:
    // Opens the device, loads the styles, lists sources and starts the first source:
    // `initial` if valid, else the first camera, else the sample clip.
    void start(const stylize::studio::SourceSpec& initial);
    void setSource(const stylize::studio::SourceSpec& source);
    void setBlend(const stylize::studio::BlendSettings& blend);
    void importModel(const QString& path);
    // A picture as a style, through Magenta's arbitrary-style model: a card that paints
    // at once (pictureStyleAdded), or a sentence saying what is missing.
    void addPictureStyle(const QString& picturePath);
    void removePictureStyle(const QString& id);
    void startRecording(const QString& path);
    void stopRecording();
    void takeSnapshot(const QString& path);
    void startExport(const stylize::studio::ExportRequest& request);
    void cancelExport();
    // Stops everything; called before the thread quits.
    void shutdown();

signals:
    void deviceReady(const QString& name);
    void stylesChanged(const QList<stylize::studio::StyleCard>& styles);
    // Magenta's model is loaded (its folder): pictures can become styles.
    void pictureModelReady(const QString& folder);
    void pictureStyleAdded(const QString& id, const QString& picturePath);
    void pictureStyleRemoved(const QString& id, const QString& picturePath);
    void sourcesListed(const QList<stylize::studio::SourceSpec>& sources);
    void sourceStarted(const stylize::studio::SourceSpec& source);
    void frameReady(const QImage& stylized, const QImage& original);
    void statsChanged(const stylize::studio::LiveStats& stats);
    void recordingChanged(const stylize::studio::RecordingStatus& status);
    void snapshotSaved(const QString& path);
    void exportProgress(const stylize::studio::ExportProgress& progress);
    void exportFinished(bool ok, const QString& message);
    // A sentence for the user: what failed and what to do. Never blocks.
    // Stylizing is being prepared (a note for the view while the source plays unstylized);
    // an empty message when the first stylized frame is on its way.
    void preparing(const QString& message);
    void errorOccurred(const QString& message);

private:
    void startLive();
    void showFrame(const pipeline::LiveFrame& frame);
    void reportStats(const pipeline::LiveStats& stats);
    void saveSnapshot(const QImage& image, const QString& path);
    void renderMissingPreviews();
    bool loadPictureModel(const QString& folder);
    void publishPictureStyles();
    QList<StyleCard> cardsWithPreviews();

    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace stylize::studio
