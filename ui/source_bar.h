// The source bar: cameras (from FFmpeg's device listing), the sample clip, the test
// pattern and recent files, plus "Open file…"; record, snapshot and export buttons.
#pragma once

#include <QList>
#include <QWidget>

#include "studio/studio_types.h"

class QComboBox;
class QLabel;
class QPushButton;
class QToolButton;

namespace stylize::ui {

class SourceBar : public QWidget {
    Q_OBJECT
public:
    explicit SourceBar(QWidget* parent = nullptr);

    stylize::studio::SourceSpec currentSource() const;
    QPushButton* recordButton() const { return record_; }
    QComboBox* sourceBox() const { return sources_; }

public slots:
    void setSources(const QList<stylize::studio::SourceSpec>& sources);
    // Selects (adding if needed) this source without emitting sourceChosen.
    void showSource(const stylize::studio::SourceSpec& source);
    void showRecording(const stylize::studio::RecordingStatus& status);

signals:
    void sourceChosen(const stylize::studio::SourceSpec& source);
    void openFileRequested();
    void recordToggled();
    void snapshotRequested();
    void exportRequested();

private:
    int indexOf(const stylize::studio::SourceSpec& source) const;

    QComboBox* sources_ = nullptr;
    QPushButton* record_ = nullptr;
    QLabel* recordInfo_ = nullptr;
    QList<stylize::studio::SourceSpec> specs_;
};

}  // namespace stylize::ui
